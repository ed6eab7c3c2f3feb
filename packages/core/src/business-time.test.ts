import { describe, expect, it } from "vitest";
import { addDays, businessDate, daysBetween, isTimeZone } from "./business-time.js";

describe("business time", () => {
  it("uses the Kathmandu calendar day (UTC+05:45)", () => {
    expect(businessDate(new Date("2026-02-09T18:14:59Z"))).toBe("2026-02-09"); // 23:59:59 NPT
    expect(businessDate(new Date("2026-02-09T18:15:00Z"))).toBe("2026-02-10"); // 00:00 NPT
    expect(businessDate(new Date("2026-02-09T18:15:00Z"), "UTC")).toBe("2026-02-09");
  });

  it("does date arithmetic on calendar days", () => {
    expect(addDays("2026-02-27", 2)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(daysBetween("2026-02-10", "2026-03-12")).toBe(30);
    expect(daysBetween("2026-03-12", "2026-02-10")).toBe(-30);
  });

  it("knows a time zone from a typo", () => {
    expect(isTimeZone("Asia/Kathmandu")).toBe(true);
    expect(isTimeZone("Asia/Katmandu-ish")).toBe(false);
  });
});
