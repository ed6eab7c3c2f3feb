import { DomainError } from "./errors.js";
import { assertPaisa } from "./money.js";

/** How money is received or paid out; each method has its own asset account. */
export type PaymentMethod = "cash" | "bank" | "esewa" | "khalti";

/** The payment methods. */
export const PAYMENT_METHODS: readonly PaymentMethod[] = ["cash", "bank", "esewa", "khalti"];

/** A ledger account by meaning; `ledgerAccountCode` gives its stable code. */
export type LedgerAccountRef =
  | { kind: "retailer_receivable"; retailerId: number }
  | { kind: "vendor_payable"; vendorId: number }
  | { kind: "platform_margin" }
  | { kind: "vat_payable" }
  | { kind: "funds"; method: PaymentMethod };

/** The account types of the chart of accounts. */
export type LedgerAccountType = "asset" | "liability" | "equity" | "revenue" | "expense";

/** One side of a journal: an account, a direction and a positive amount. */
export interface Posting {
  account: LedgerAccountRef;
  direction: "debit" | "credit";
  amountPaisa: number;
}

/**
 * The stable code of an account.
 * @example ledgerAccountCode({ kind: "retailer_receivable", retailerId: 7 }) // "receivable:retailer:7"
 */
export function ledgerAccountCode(ref: LedgerAccountRef): string {
  switch (ref.kind) {
    case "retailer_receivable":
      return `receivable:retailer:${ref.retailerId}`;
    case "vendor_payable":
      return `payable:vendor:${ref.vendorId}`;
    case "platform_margin":
      return "revenue:platform-margin";
    case "vat_payable":
      return "liability:vat-payable";
    case "funds":
      return `asset:${ref.method}`;
  }
}

/** The type of an account: receivables and funds are assets, payables and VAT liabilities, margin revenue. */
export function ledgerAccountType(ref: LedgerAccountRef): LedgerAccountType {
  switch (ref.kind) {
    case "retailer_receivable":
    case "funds":
      return "asset";
    case "vendor_payable":
    case "vat_payable":
      return "liability";
    case "platform_margin":
      return "revenue";
  }
}

/** A readable account name. */
export function ledgerAccountName(ref: LedgerAccountRef, label?: string): string {
  switch (ref.kind) {
    case "retailer_receivable":
      return `Receivable from retailer ${label ?? ref.retailerId}`;
    case "vendor_payable":
      return `Payable to vendor ${label ?? ref.vendorId}`;
    case "platform_margin":
      return "Platform margin";
    case "vat_payable":
      return "VAT payable";
    case "funds":
      return { cash: "Cash", bank: "Bank", esewa: "eSewa wallet", khalti: "Khalti wallet" }[ref.method];
  }
}

function posting(account: LedgerAccountRef, signedPaisa: number): Posting[] {
  assertPaisa(signedPaisa, "posting amount");
  if (signedPaisa === 0) return [];
  return [{ account, direction: signedPaisa > 0 ? "debit" : "credit", amountPaisa: Math.abs(signedPaisa) }];
}

/**
 * Postings when an order is delivered: the retailer owes the total (receivable debit), the vendor
 * is owed the cost (payable credit), the government the VAT (VAT payable credit), and the platform
 * keeps subtotal - cost (margin credit; a debit when an order is sold below cost). Always balances:
 * total = subtotal + VAT = cost + margin + VAT. Zero amounts are left out.
 * @example deliveryPostings({ retailerId: 1, vendorId: 2, subtotalPaisa: 210000, vatPaisa: 27300, costPaisa: 190000 })
 */
export function deliveryPostings(order: { retailerId: number; vendorId: number; subtotalPaisa: number; vatPaisa: number; costPaisa: number }): Posting[] {
  const totalPaisa = order.subtotalPaisa + order.vatPaisa;
  return [
    ...posting({ kind: "retailer_receivable", retailerId: order.retailerId }, totalPaisa),
    ...posting({ kind: "vendor_payable", vendorId: order.vendorId }, -order.costPaisa),
    ...posting({ kind: "platform_margin" }, -(order.subtotalPaisa - order.costPaisa)),
    ...posting({ kind: "vat_payable" }, -order.vatPaisa),
  ];
}

/** Postings for money received from a retailer: funds debit, receivable credit. */
export function paymentPostings(payment: { retailerId: number; method: PaymentMethod; amountPaisa: number }): Posting[] {
  return [
    ...posting({ kind: "funds", method: payment.method }, payment.amountPaisa),
    ...posting({ kind: "retailer_receivable", retailerId: payment.retailerId }, -payment.amountPaisa),
  ];
}

/** Postings for money paid to a vendor: payable debit, funds credit. */
export function vendorSettlementPostings(settlement: { vendorId: number; method: PaymentMethod; amountPaisa: number }): Posting[] {
  return [
    ...posting({ kind: "vendor_payable", vendorId: settlement.vendorId }, settlement.amountPaisa),
    ...posting({ kind: "funds", method: settlement.method }, -settlement.amountPaisa),
  ];
}

/** The postings that undo `postings`: the same amounts, each on the other side. */
export function reversalPostings(postings: readonly Posting[]): Posting[] {
  return postings.map((p) => ({ account: p.account, direction: p.direction === "debit" ? "credit" : "debit", amountPaisa: p.amountPaisa }));
}

/** Debits minus credits (0 for a balanced journal). */
export function journalImbalance(postings: readonly { direction: "debit" | "credit"; amountPaisa: number }[]): number {
  return postings.reduce((sum, p) => sum + (p.direction === "debit" ? p.amountPaisa : -p.amountPaisa), 0);
}

/** Throws a `ledger_invariant` DomainError unless the postings are a balanced journal of positive amounts. */
export function assertBalanced(postings: readonly Posting[]): void {
  const bad = postings.find((p) => !Number.isSafeInteger(p.amountPaisa) || p.amountPaisa <= 0);
  if (bad) throw new DomainError("ledger_invariant", `posting amounts must be positive whole paisa, got ${bad.amountPaisa}`, { posting: bad });
  const imbalance = journalImbalance(postings);
  if (postings.length < 2 || imbalance !== 0) {
    throw new DomainError("ledger_invariant", `journal does not balance (debits - credits = ${imbalance}, ${postings.length} postings)`, {
      imbalance,
      postings: postings.length,
    });
  }
}

/** How each account's balance (debit minus credit) moves, by account code. */
export function balanceDeltas(postings: readonly Posting[]): Map<string, number> {
  const deltas = new Map<string, number>();
  for (const p of postings) {
    const code = ledgerAccountCode(p.account);
    deltas.set(code, (deltas.get(code) ?? 0) + (p.direction === "debit" ? p.amountPaisa : -p.amountPaisa));
  }
  return deltas;
}
