/** An unpaid (part of an) order, oldest first by `at` (delivery time, epoch ms), then id. */
export interface OpenItem {
  orderId: number;
  duePaisa: number;
  at: number;
}

/** Money not yet allocated to orders, oldest first by `at` (receipt time, epoch ms), then id. */
export interface FreeFunds {
  paymentId: number;
  freePaisa: number;
  at: number;
}

/** Part of a payment applied to an order. */
export interface Allocation {
  paymentId: number;
  orderId: number;
  amountPaisa: number;
}

const oldestFirst = <T extends { at: number }>(key: (t: T) => number) => (a: T, b: T) => a.at - b.at || key(a) - key(b);

/**
 * Applies free money to unpaid orders, oldest money to the oldest order first. What is left over
 * stays free (the retailer's credit balance); nothing is created or lost:
 * sum(allocations) + sum(leftover funds) = sum(funds), and no order gets more than it owes.
 * @example settleOldestFirst([{ paymentId: 1, freePaisa: 500, at: 3 }], [{ orderId: 7, duePaisa: 300, at: 1 }, { orderId: 8, duePaisa: 400, at: 2 }])
 * // { allocations: [{ paymentId: 1, orderId: 7, amountPaisa: 300 }, { paymentId: 1, orderId: 8, amountPaisa: 200 }], leftoverPaisa: 0 }
 */
export function settleOldestFirst(funds: readonly FreeFunds[], items: readonly OpenItem[]): { allocations: Allocation[]; leftoverPaisa: number } {
  const money = funds.filter((f) => f.freePaisa > 0).map((f) => ({ ...f })).sort(oldestFirst((f: FreeFunds) => f.paymentId));
  const owed = items.filter((i) => i.duePaisa > 0).map((i) => ({ ...i })).sort(oldestFirst((i: OpenItem) => i.orderId));
  const allocations: Allocation[] = [];
  let m = 0;
  let o = 0;
  while (m < money.length && o < owed.length) {
    const fund = money[m] as FreeFunds;
    const item = owed[o] as OpenItem;
    const amountPaisa = Math.min(fund.freePaisa, item.duePaisa);
    allocations.push({ paymentId: fund.paymentId, orderId: item.orderId, amountPaisa });
    fund.freePaisa -= amountPaisa;
    item.duePaisa -= amountPaisa;
    if (fund.freePaisa === 0) m++;
    if (item.duePaisa === 0) o++;
  }
  const leftoverPaisa = money.slice(m).reduce((sum, f) => sum + f.freePaisa, 0);
  return { allocations, leftoverPaisa };
}
