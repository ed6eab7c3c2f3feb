import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyRateHalfUp, formatRupees, parseRupees } from "./money.js";

describe("money", () => {
  it("computes the seed's VAT exactly: Rs.2100.00 at 13% is Rs.273.00", () => {
    expect(applyRateHalfUp(210000, 1300)).toBe(27300);
    expect(formatRupees(210000 + 27300)).toBe("Rs.2373.00");
  });

  it("rounds half up to the paisa", () => {
    expect(applyRateHalfUp(50, 1300)).toBe(7); // 6.5 -> 7
    expect(applyRateHalfUp(49, 1300)).toBe(6); // 6.37 -> 6
    expect(applyRateHalfUp(1, 5000)).toBe(1); // 0.5 -> 1
    expect(applyRateHalfUp(-50, 1300)).toBe(-7);
  });

  it("never loses a paisa against exact rational arithmetic", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 0, max: 9999 }), (paisa, bp) => {
        const exact = BigInt(paisa) * BigInt(bp);
        const got = BigInt(applyRateHalfUp(paisa, bp));
        // got is the nearest integer, ties up: |exact - got*10000| <= 5000, and ties go up.
        const diff = exact - got * 10000n;
        expect(diff >= -5000n && diff < 5000n).toBe(true);
      }),
    );
  });

  it("parses what people write and rejects the rest", () => {
    expect(parseRupees("150")).toBe(15000);
    expect(parseRupees("2,100.5")).toBe(210050);
    expect(parseRupees("Rs. 99.99")).toBe(9999);
    expect(parseRupees("रु 10")).toBe(1000);
    for (const bad of ["abc", "", "1.234", "-5", "1e3", "12.3.4"]) expect(parseRupees(bad)).toBeUndefined();
  });

  it("formats with optional decimals and Nepali grouping", () => {
    expect(formatRupees(15000, { decimals: "auto" })).toBe("Rs.150");
    expect(formatRupees(15050, { decimals: "auto" })).toBe("Rs.150.50");
    expect(formatRupees(125000000, { grouping: "indian" })).toBe("Rs.12,50,000.00");
    expect(formatRupees(125000000, { grouping: "international" })).toBe("Rs.1,250,000.00");
    expect(formatRupees(-5)).toBe("-Rs.0.05");
  });

  it("round-trips every amount through format and parse", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e13 }), (paisa) => {
        expect(parseRupees(formatRupees(paisa, { grouping: "indian" }))).toBe(paisa);
      }),
    );
  });
});
