import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertBalanced,
  balanceDeltas,
  deliveryPostings,
  journalImbalance,
  ledgerAccountCode,
  paymentPostings,
  reversalPostings,
  vendorSettlementPostings,
} from "./ledger-postings.js";
import { orderTotals } from "./order-pricing.js";

describe("ledger postings", () => {
  it("posts a delivery as receivable / payable / margin / VAT", () => {
    const postings = deliveryPostings({ retailerId: 1, vendorId: 2, subtotalPaisa: 210000, vatPaisa: 27300, costPaisa: 190000 });
    expect(postings.map((p) => [ledgerAccountCode(p.account), p.direction, p.amountPaisa])).toEqual([
      ["receivable:retailer:1", "debit", 237300],
      ["payable:vendor:2", "credit", 190000],
      ["revenue:platform-margin", "credit", 20000],
      ["liability:vat-payable", "credit", 27300],
    ]);
    assertBalanced(postings);
  });

  it("debits the margin when an order is sold below cost", () => {
    const postings = deliveryPostings({ retailerId: 1, vendorId: 2, subtotalPaisa: 1000, vatPaisa: 130, costPaisa: 1200 });
    expect(postings.find((p) => p.account.kind === "platform_margin")).toMatchObject({ direction: "debit", amountPaisa: 200 });
    expect(journalImbalance(postings)).toBe(0);
  });

  it("rejects unbalanced or non-positive postings", () => {
    expect(() => assertBalanced([{ account: { kind: "vat_payable" }, direction: "debit", amountPaisa: 5 }])).toThrow(/does not balance/);
    expect(() =>
      assertBalanced([
        { account: { kind: "vat_payable" }, direction: "debit", amountPaisa: 5 },
        { account: { kind: "platform_margin" }, direction: "credit", amountPaisa: 4 },
      ]),
    ).toThrow(/does not balance/);
    expect(() =>
      assertBalanced([
        { account: { kind: "vat_payable" }, direction: "debit", amountPaisa: 0 },
        { account: { kind: "platform_margin" }, direction: "credit", amountPaisa: 0 },
      ]),
    ).toThrow(/positive/);
  });

  const amount = fc.integer({ min: 1, max: 1_000_000_000 });
  const method = fc.constantFrom("cash" as const, "bank" as const, "esewa" as const, "khalti" as const);

  it("property: every delivery, payment, settlement and reversal journal balances", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 1000 }), unitPricePaisa: fc.integer({ min: 0, max: 1_000_000 }) }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 9999 }),
        amount,
        method,
        (lines, costPaisa, rate, paid, how) => {
          const totals = orderTotals(lines, rate);
          const delivery = deliveryPostings({ retailerId: 3, vendorId: 4, subtotalPaisa: totals.subtotalPaisa, vatPaisa: totals.vatPaisa, costPaisa });
          expect(journalImbalance(delivery)).toBe(0);
          if (delivery.length > 0) {
            assertBalanced(delivery);
            expect(balanceDeltas(delivery).get("receivable:retailer:3") ?? 0).toBe(totals.totalPaisa);
          }
          for (const journal of [delivery, paymentPostings({ retailerId: 3, method: how, amountPaisa: paid }), vendorSettlementPostings({ vendorId: 4, method: how, amountPaisa: paid })]) {
            if (journal.length === 0) continue;
            assertBalanced(journal);
            const both = [...journal, ...reversalPostings(journal)];
            expect([...balanceDeltas(both).values()].every((d) => d === 0)).toBe(true);
          }
        },
      ),
    );
  });

  it("property: any sequence of balanced journals leaves the sum of all balances at zero", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, amount, amount, method), { maxLength: 40 }), (ops) => {
        const balances = new Map<string, number>();
        for (const [subtotal, cost, paid, how] of ops) {
          const vat = Math.floor(subtotal / 10);
          for (const journal of [deliveryPostings({ retailerId: 1, vendorId: 1, subtotalPaisa: subtotal, vatPaisa: vat, costPaisa: cost }), paymentPostings({ retailerId: 1, method: how, amountPaisa: paid })]) {
            for (const [code, delta] of balanceDeltas(journal)) balances.set(code, (balances.get(code) ?? 0) + delta);
          }
        }
        expect([...balances.values()].reduce((s, b) => s + b, 0)).toBe(0);
      }),
    );
  });
});
