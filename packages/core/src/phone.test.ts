import { describe, expect, it } from "vitest";
import { normalizePhone } from "./phone.js";

describe("normalizePhone", () => {
  it.each([
    ["+9779812345678", "+9779812345678"],
    ["whatsapp:+9779812345678", "+9779812345678"],
    ["+977 981-234-5678", "+9779812345678"],
    ["9741234567", "+9779741234567"],
    ["009779812345678", "+9779812345678"],
    ["+14155238886", "+14155238886"],
  ])("accepts %s", (input, phone) => expect(normalizePhone(input)).toEqual({ ok: true, phone }));

  it.each(["", "12345", "+977 1 4412345", "+9779612345678", "+97798123456789", "98123", "phone", "+0123456789"])("rejects %s with a reason", (input) => {
    const result = normalizePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(input);
  });
});
