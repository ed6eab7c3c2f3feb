/** Result of normalising a phone number. */
export type PhoneCheck = { ok: true; phone: string } | { ok: false; reason: string };

/**
 * Normalises a phone number to E.164 (`+9779812345678`). Accepts spaces, dashes, a `whatsapp:`
 * prefix, and a bare 10-digit Nepali mobile (`9812345678`). Nepali numbers (+977) must be mobiles:
 * ten digits starting 98 or 97.
 * @example normalizePhone("whatsapp:+977 981-234-5678") // { ok: true, phone: "+9779812345678" }
 */
export function normalizePhone(input: string): PhoneCheck {
  let text = input.trim().replace(/^whatsapp:/i, "").replace(/[\s\-().]/g, "");
  if (/^9[78]\d{8}$/.test(text)) text = `+977${text}`;
  if (text.startsWith("00")) text = `+${text.slice(2)}`;
  if (!/^\+[1-9]\d{6,14}$/.test(text)) {
    return { ok: false, reason: `"${input}" is not an international phone number like +9779812345678` };
  }
  if (text.startsWith("+977") && !/^\+9779[78]\d{8}$/.test(text)) {
    return { ok: false, reason: `"${input}" is not a Nepali mobile number (+977 98xxxxxxxx or +977 97xxxxxxxx)` };
  }
  return { ok: true, phone: text };
}
