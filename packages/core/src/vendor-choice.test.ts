import { describe, expect, it } from "vitest";
import { checkCredit, creditFigures } from "./credit.js";
import { chooseVendor, type VendorOffer } from "./vendor-choice.js";

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
