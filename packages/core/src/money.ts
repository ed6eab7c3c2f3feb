import { DomainError } from "./errors.js";

/** Paisa in one rupee. */
export const PAISA_PER_RUPEE = 100;

/**
 * Parses a rupee amount written by a person ("150", "2,100.50", "Rs. 99.5") into integer paisa.
 * Returns undefined when the text is not an amount with at most two decimals.
 * @example parseRupees("2,373.00") // 237300
 */
export function parseRupees(text: string): number | undefined {
  const cleaned = text.trim().replace(/^(rs\.?|npr|रु\.?)\s*/i, "").replace(/,/g, "");
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(2, "0"));
  return whole * PAISA_PER_RUPEE + fraction;
}

/** Like parseRupees, but throws an invalid_input DomainError naming `field` when it fails. */
export function requireRupees(text: string, field: string): number {
  const paisa = parseRupees(text);
  if (paisa === undefined) {
    throw new DomainError("invalid_input", `${field} must be an amount in NPR with at most 2 decimals, got "${text}"`, {
      field,
      value: text,
    });
  }
  return paisa;
}

/** Asserts an integer number of paisa (a broken invariant otherwise). */
export function assertPaisa(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be an integer number of paisa, got ${value}`);
}

/**
 * Multiplies paisa by a rate given in basis points (1300 = 13%), rounding half up.
 * @example applyRateHalfUp(210000, 1300) // 27300
 */
export function applyRateHalfUp(paisa: number, rateBasisPoints: number): number {
  assertPaisa(paisa, "amount");
  const numerator = BigInt(paisa) * BigInt(rateBasisPoints);
  const denominator = 10000n;
  const sign = numerator < 0n ? -1n : 1n;
  const abs = numerator * sign;
  return Number(sign * ((abs * 2n + denominator) / (denominator * 2n)));
}

function groupDigits(whole: string, grouping: "international" | "indian"): string {
  if (grouping === "international") return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  if (whole.length <= 3) return whole;
  const head = whole.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ",");
  return `${head},${whole.slice(-3)}`;
}

/**
 * Formats paisa as rupees: `Rs.2,373.00`. `decimals: "auto"` drops ".00" on whole rupees
 * (`Rs.150`), as the order summary lines do. Indian grouping gives `Rs.12,50,000.00`.
 */
export function formatRupees(
  paisa: number,
  options: { decimals?: "always" | "auto"; grouping?: "international" | "indian" | "none" } = {},
): string {
  assertPaisa(paisa, "amount");
  const negative = paisa < 0;
  const abs = Math.abs(paisa);
  const whole = String(Math.floor(abs / PAISA_PER_RUPEE));
  const fraction = String(abs % PAISA_PER_RUPEE).padStart(2, "0");
  const grouping = options.grouping ?? "none";
  const grouped = grouping === "none" ? whole : groupDigits(whole, grouping);
  const showFraction = options.decimals !== "auto" || fraction !== "00";
  return `${negative ? "-" : ""}Rs.${grouped}${showFraction ? `.${fraction}` : ""}`;
}
