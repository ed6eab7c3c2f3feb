import { describe, expect, it } from "vitest";
import { checkCredit, creditFigures } from "./credit.js";
import fc from "fast-check";
import { chooseVendor, rankVendors, type VendorOffer, vendorRecordScore } from "./vendor-choice.js";

const offer = (vendorId: number, productId: number, costPaisa: number, stock: number, recordScore = 0): VendorOffer => ({
  offerId: vendorId * 100 + productId,
  vendorId,
  vendorCode: `V${vendorId}`,
  vendorName: `Vendor ${vendorId}`,
  productId,
  costPaisa,
  stock,
  recordScore,
});
const lines = [
  { productId: 1, sku: "A", name: "Apple", quantity: 5 },
  { productId: 2, sku: "B", name: "Bean", quantity: 2 },
];

describe("vendor choice", () => {
  it("chooses the cheapest vendor that can supply every line", () => {
    const result = chooseVendor(lines, [offer(1, 1, 100, 10), offer(1, 2, 100, 10), offer(2, 1, 90, 10), offer(2, 2, 90, 1), offer(3, 1, 95, 5), offer(3, 2, 100, 2)]);
    expect(result.ok && result.choice.vendorCode).toBe("V3");
    expect(result.ok && result.choice.costPaisa).toBe(5 * 95 + 2 * 100);
  });

  it("scores a record by delivered against rejected orders, a newcomer in the middle", () => {
    expect(vendorRecordScore(0, 0)).toBe(0.5);
    expect(vendorRecordScore(8, 0)).toBe(0.9);
    expect(vendorRecordScore(0, 1)).toBeCloseTo(1 / 3);
    // A long good record outweighs a short perfect one; one rejection does not sink a newcomer below a poor record.
    expect(vendorRecordScore(98, 2)).toBeGreaterThan(vendorRecordScore(3, 0));
    expect(vendorRecordScore(0, 1)).toBeGreaterThan(vendorRecordScore(2, 8));
  });

  it("breaks cost ties by record, then by vendor id", () => {
    expect(chooseVendor(lines, [offer(1, 1, 100, 10), offer(1, 2, 100, 10), offer(2, 1, 100, 10, 5), offer(2, 2, 100, 10, 5)])).toMatchObject({ ok: true, choice: { vendorId: 2 } });
    expect(chooseVendor(lines, [offer(2, 1, 100, 10), offer(2, 2, 100, 10), offer(1, 1, 100, 10), offer(1, 2, 100, 10)])).toMatchObject({ ok: true, choice: { vendorId: 1 } });
  });

  it("names short lines with the most any vendor has", () => {
    expect(chooseVendor(lines, [offer(1, 1, 100, 3), offer(2, 1, 100, 4), offer(2, 2, 100, 9)])).toEqual({
      ok: false,
      refusal: { reason: "out_of_stock", lines: [{ sku: "A", name: "Apple", requested: 5, available: 4 }] },
    });
  });

  it("when lines are only available from different vendors, names what the best-covering vendor lacks", () => {
    expect(chooseVendor(lines, [offer(1, 1, 100, 9), offer(2, 2, 100, 9)])).toEqual({
      ok: false,
      refusal: { reason: "out_of_stock", lines: [{ sku: "B", name: "Bean", requested: 2, available: 0 }] },
    });
  });
});

describe("vendor ranking", () => {
  it("lists every vendor offering every line, cheapest first, whatever their stock", () => {
    const ranked = rankVendors(lines, [offer(1, 1, 100, 0), offer(1, 2, 100, 0), offer(2, 1, 90, 10), offer(3, 1, 80, 10), offer(3, 2, 80, 10), offer(4, 1, 80, 1), offer(4, 2, 80, 1, 3)]);
    expect(ranked.map((c) => c.vendorId)).toEqual([4, 3, 1]);
    expect(ranked[0]).toEqual({ vendorId: 4, vendorCode: "V4", vendorName: "Vendor 4", costPaisa: 7 * 80, lines: [
      { productId: 1, offerId: 401, quantity: 5, unitCostPaisa: 80 },
      { productId: 2, offerId: 402, quantity: 2, unitCostPaisa: 80 },
    ] });
  });

  it("a negative record still ranks below a better one", () => {
    const ranked = rankVendors(lines, [offer(1, 1, 100, 9, -5), offer(1, 2, 100, 9, -5), offer(2, 1, 100, 9, -1), offer(2, 2, 100, 9, -1)]);
    expect(ranked.map((c) => c.vendorId)).toEqual([2, 1]);
  });

  it("ranking and choice agree with a brute-force reading of the rule", () => {
    const offerArb = fc.record({ vendorId: fc.integer({ min: 1, max: 4 }), productId: fc.integer({ min: 1, max: 2 }), cost: fc.integer({ min: 1, max: 5 }), stock: fc.integer({ min: 0, max: 8 }), score: fc.integer({ min: -2, max: 2 }) });
    fc.assert(
      fc.property(fc.uniqueArray(offerArb, { selector: (o) => `${o.vendorId}:${o.productId}`, maxLength: 8 }), (raw) => {
        const offers = raw.map((o) => offer(o.vendorId, o.productId, o.cost, o.stock, o.score));
        // Each vendor offering both lines, as [cost, best record, vendor id, has the stock].
        const candidates = [1, 2, 3, 4].flatMap((v) => {
          const mine = lines.map((l) => offers.find((o) => o.vendorId === v && o.productId === l.productId));
          if (mine.some((o) => !o)) return [];
          const own = mine as VendorOffer[];
          const cost = own.reduce((sum, o, i) => sum + o.costPaisa * (lines[i]?.quantity ?? 0), 0);
          return [{ v, cost, record: Math.max(...own.map((o) => o.recordScore ?? 0)), stocked: own.every((o, i) => o.stock >= (lines[i]?.quantity ?? 0)) }];
        });
        const better = (a: (typeof candidates)[number], b: (typeof candidates)[number]) => a.cost < b.cost || (a.cost === b.cost && (a.record > b.record || (a.record === b.record && a.v < b.v)));
        const expectedOrder = [...candidates].sort((a, b) => (better(a, b) ? -1 : 1)).map((c) => c.v);
        expect(rankVendors(lines, offers).map((c) => c.vendorId)).toEqual(expectedOrder);
        const stocked = candidates.filter((c) => c.stocked);
        const best = stocked.find((c) => stocked.every((d) => d === c || better(c, d)));
        const chosen = chooseVendor(lines, offers);
        expect(chosen.ok ? chosen.choice.vendorId : undefined).toBe(best?.v);
      }),
    );
  });
});

describe("credit", () => {
  it("available = limit - (receivable + holds), over-payment adds to it", () => {
    expect(creditFigures({ limitPaisa: 10000, receivableBalancePaisa: 3000, holdsPaisa: 2000 })).toEqual({
      limitPaisa: 10000,
      receivablePaisa: 3000,
      holdsPaisa: 2000,
      usedPaisa: 5000,
      availablePaisa: 5000,
      creditBalancePaisa: 0,
    });
    expect(creditFigures({ limitPaisa: 10000, receivableBalancePaisa: -500, holdsPaisa: 2000 }).availablePaisa).toBe(8500);
    expect(checkCredit({ limitPaisa: 10000, receivableBalancePaisa: 3000, holdsPaisa: 2000 }, 5000).ok).toBe(true);
    expect(checkCredit({ limitPaisa: 10000, receivableBalancePaisa: 3000, holdsPaisa: 2000 }, 5001)).toEqual({
      ok: false,
      refusal: { reason: "credit_limit", limitPaisa: 10000, usedPaisa: 5000, availablePaisa: 5000, requiredPaisa: 5001 },
    });
  });
});
