import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatRupees } from "./money.js";
import { type CatalogPrice, normalizeOrderLines, orderTotals, priceOrderLines } from "./order-pricing.js";

const catalog = new Map<string, CatalogPrice>([
  ["RICE-1KG", { productId: 1, sku: "RICE-1KG", name: "Basmati Rice 1KG", unit: "packet", pricePaisa: 15000, active: true }],
  ["DAL-1KG", { productId: 2, sku: "DAL-1KG", name: "Toor Dal 1KG", unit: "packet", pricePaisa: 12000, active: true }],
  ["OLD-1", { productId: 3, sku: "OLD-1", name: "Withdrawn", unit: "pc", pricePaisa: 100, active: false }],
]);

describe("order pricing", () => {
  it("prices the seed's example exactly: Rs.2100.00 + Rs.273.00 = Rs.2373.00", () => {
    const result = priceOrderLines([{ sku: "RICE-1KG", quantity: 10 }, { sku: "DAL-1KG", quantity: 5 }], catalog, 1300);
    if (!result.ok) throw new Error("refused");
    expect(result.lines.map((l) => l.lineTotalPaisa)).toEqual([150000, 60000]);
    expect(formatRupees(result.totals.subtotalPaisa)).toBe("Rs.2100.00");
    expect(formatRupees(result.totals.vatPaisa)).toBe("Rs.273.00");
    expect(formatRupees(result.totals.totalPaisa)).toBe("Rs.2373.00");
  });

  it("rounds VAT half up to the paisa, once on the subtotal", () => {
    expect(orderTotals([{ quantity: 1, unitPricePaisa: 50 }], 1300).vatPaisa).toBe(7); // 6.5 -> 7
    expect(orderTotals([{ quantity: 1, unitPricePaisa: 49 }], 1300).vatPaisa).toBe(6); // 6.37 -> 6
    expect(orderTotals([{ quantity: 3, unitPricePaisa: 50 }], 1300).vatPaisa).toBe(20); // 19.5 -> 20, not 3 x 7
  });

  it("refuses unknown and inactive SKUs together", () => {
    const result = priceOrderLines([{ sku: "NOPE", quantity: 1 }, { sku: "OLD-1", quantity: 1 }, { sku: "DAL-1KG", quantity: 1 }], catalog, 1300);
    expect(result).toEqual({ ok: false, refusal: { reason: "unknown_sku", skus: ["NOPE", "OLD-1"] } });
  });

  it("refuses empty orders and bad quantities, and merges repeated SKUs", () => {
    expect(normalizeOrderLines([])).toEqual({ ok: false, refusal: { reason: "empty_order" } });
    const bad = normalizeOrderLines([{ sku: "A", quantity: 0 }, { sku: "B", quantity: 1.5 }, { sku: "C", quantity: 2 }]);
    expect(bad.ok === false && bad.refusal.reason === "invalid_quantity" && bad.refusal.lines.map((l) => l.sku)).toEqual(["A", "B"]);
    expect(normalizeOrderLines([{ sku: " A", quantity: 2 }, { sku: "B", quantity: 1 }, { sku: "A", quantity: 3 }])).toEqual({
      ok: true,
      lines: [{ sku: "A", quantity: 5 }, { sku: "B", quantity: 1 }],
    });
  });

  it("always has total = subtotal + VAT and VAT within half a paisa of the exact rate", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 100_000 }), unitPricePaisa: fc.integer({ min: 0, max: 10_000_000 }) }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 9999 }),
        (lines, rate) => {
          const totals = orderTotals(lines, rate);
          expect(totals.subtotalPaisa).toBe(lines.reduce((s, l) => s + l.quantity * l.unitPricePaisa, 0));
          expect(totals.totalPaisa).toBe(totals.subtotalPaisa + totals.vatPaisa);
          const exactTimes2 = (BigInt(totals.subtotalPaisa) * BigInt(rate) * 2n) / 10000n;
          expect(Math.abs(totals.vatPaisa * 2 - Number(exactTimes2))).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
