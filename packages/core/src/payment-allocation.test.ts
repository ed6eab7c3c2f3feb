import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { settleOldestFirst } from "./payment-allocation.js";

describe("payment allocation", () => {
  it("pays the oldest order first and keeps an over-payment as credit", () => {
    const result = settleOldestFirst(
      [{ paymentId: 1, freePaisa: 1000, at: 10 }],
      [
        { orderId: 2, duePaisa: 400, at: 5 },
        { orderId: 1, duePaisa: 300, at: 1 },
      ],
    );
    expect(result).toEqual({
      allocations: [
        { paymentId: 1, orderId: 1, amountPaisa: 300 },
        { paymentId: 1, orderId: 2, amountPaisa: 400 },
      ],
      leftoverPaisa: 300,
    });
  });

  it("uses the oldest money first", () => {
    const result = settleOldestFirst(
      [
        { paymentId: 9, freePaisa: 50, at: 2 },
        { paymentId: 4, freePaisa: 50, at: 1 },
      ],
      [{ orderId: 1, duePaisa: 70, at: 1 }],
    );
    expect(result.allocations).toEqual([
      { paymentId: 4, orderId: 1, amountPaisa: 50 },
      { paymentId: 9, orderId: 1, amountPaisa: 20 },
    ]);
    expect(result.leftoverPaisa).toBe(30);
  });

  it("property: conserves money, never over-pays an order or over-spends a payment, leaves no unpaid order while money is left", () => {
    const funds = fc.array(fc.record({ paymentId: fc.nat(1000), freePaisa: fc.integer({ min: 0, max: 1_000_000 }), at: fc.nat(100) }), { maxLength: 8 });
    const items = fc.array(fc.record({ orderId: fc.nat(1000), duePaisa: fc.integer({ min: 0, max: 1_000_000 }), at: fc.nat(100) }), { maxLength: 8 });
    fc.assert(
      fc.property(
        funds.map((fs) => fs.map((f, i) => ({ ...f, paymentId: i + 1 }))),
        items.map((is) => is.map((o, i) => ({ ...o, orderId: i + 1 }))),
        (money, owed) => {
          const { allocations, leftoverPaisa } = settleOldestFirst(money, owed);
          const totalFree = money.reduce((s, f) => s + f.freePaisa, 0);
          const totalDue = owed.reduce((s, o) => s + o.duePaisa, 0);
          const allocated = allocations.reduce((s, a) => s + a.amountPaisa, 0);
          expect(allocated + leftoverPaisa).toBe(totalFree);
          expect(allocated).toBe(Math.min(totalFree, totalDue));
          expect(allocations.every((a) => a.amountPaisa > 0)).toBe(true);
          for (const f of money) expect(allocations.filter((a) => a.paymentId === f.paymentId).reduce((s, a) => s + a.amountPaisa, 0)).toBeLessThanOrEqual(f.freePaisa);
          for (const o of owed) expect(allocations.filter((a) => a.orderId === o.orderId).reduce((s, a) => s + a.amountPaisa, 0)).toBeLessThanOrEqual(o.duePaisa);
        },
      ),
    );
  });
});
