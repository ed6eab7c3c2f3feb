import type { CatalogIndex } from "./catalog-index.js";
import { searchCatalog } from "./catalog-index.js";
import { toAsciiDigits } from "./nepali-numbers.js";
import { MAX_MESSAGE_LENGTH, parseMessage } from "./parser.js";
import type { ParsedMessage } from "./parser.js";

/**
 * What one inbound WhatsApp message means to the bot. The machine never sees raw text, so the
 * conversation state stays small and the reading of text stays testable on its own.
 */
export type ChatCommand =
  | { kind: "confirm" }
  | { kind: "cancel" }
  | { kind: "help" }
  | { kind: "status"; orderNumber?: string }
  | { kind: "orders" }
  | { kind: "balance" }
  | { kind: "price"; query: string }
  | { kind: "reorder" }
  | { kind: "language"; language: "en" | "ne" }
  | { kind: "add"; text: string; parsed: ParsedMessage }
  | { kind: "remove"; text: string }
  | { kind: "choice"; index: number; quantity?: number }
  | { kind: "skip" }
  | { kind: "order"; parsed: ParsedMessage }
  | { kind: "other"; text: string; tooLong?: boolean };

// Whole-message keywords (after lower-casing and trimming punctuation), so an order line that
// merely contains one of these words is still read as an order.
const CONFIRM = /^(?:confirm|confirmed|yes|y|ok|okay|ho|हो|हुन्छ|ठीक छ|कन्फर्म|pakka|पक्का)$/u;
const CANCEL = /^(?:cancel|cancel order|no|radda|रद्द|रद्द गर|होइन|नाइँ)$/u;
const HELP = /^(?:help|menu|madat|मद्दत|मेनु|मेनू|सहयोग|\?+)$/u;
// A greeting gets the menu: it is how most first conversations start.
const GREETING = /^(?:hi|hello|hey|namaste|namaskar|namaste dai|namaste didi|नमस्ते|नमस्कार)(?:\s+(?:dai|didi|ji|hajur|दाइ|दिदी|जी))?$/u;
const STATUS = /^(?:status|स्थिति)(?:\s+#?(ord\s*-?\d+))?$/u;
const ORDERS = /^(?:orders|my orders|अर्डर|अर्डरहरू|अर्डरहरु|मेरो अर्डर)$/u;
const BALANCE = /^(?:balance|credit|ब्यालेन्स|बाँकी|हिसाब|उधारो|क्रेडिट)$/u;
const REORDER = /^(?:reorder|re-order|re order|फेरि)$/u;
const NEPALI = /^(?:nepali|नेपाली|नेपालीमा)$/u;
const ENGLISH = /^(?:english|अंग्रेजी|अङ्ग्रेजी)$/u;
const SKIP = /^(?:skip|छोड|छोड्नु|छोड्नुहोस्)$/u;
const CHOICE = /^(\d{1,3})$/u;
const CHOICE_WITH_QUANTITY = /^(\d{1,3})\s*(?:x|×|\*)\s*(\d{1,6})$/u;
const PRICE = /^(?:price|मूल्य|भाउ)\s*[:-]?\s+([\s\S]+)$/iu;
const ADD = /^(?:add|थप)\s*[:-]?\s+([\s\S]+)$/iu;
const REMOVE = /^(?:remove|हटाउ|हटाउनु|हटाउनुहोस्)\s*[:-]?\s+([\s\S]+)$/iu;

function simplify(text: string): string {
  return toAsciiDigits(text.normalize("NFKC"))
    .toLowerCase()
    .replace(/^[\s.!,;:"']+|[\s.!,;:"'।]+$/gu, "")
    .replace(/\s+/gu, " ");
}

/**
 * Reads a message: bot keywords first (English and Nepali, any case), then the order parser.
 * Never throws.
 * @example classifyMessage("2 x 6", index) // { kind: "choice", index: 2, quantity: 6 }
 */
export function classifyMessage(text: string, index: CatalogIndex): ChatCommand {
  const raw = typeof text === "string" ? text : "";
  if (raw.length > MAX_MESSAGE_LENGTH) return { kind: "other", text: raw.slice(0, 80), tooLong: true };
  const simple = simplify(raw);
  if (simple === "") return { kind: "other", text: "" };
  if (CONFIRM.test(simple)) return { kind: "confirm" };
  if (CANCEL.test(simple)) return { kind: "cancel" };
  if (HELP.test(simple) || GREETING.test(simple)) return { kind: "help" };
  const status = STATUS.exec(simple);
  if (status) return status[1] ? { kind: "status", orderNumber: status[1].replace(/[\s-]/gu, "").toUpperCase() } : { kind: "status" };
  if (ORDERS.test(simple)) return { kind: "orders" };
  if (BALANCE.test(simple)) return { kind: "balance" };
  if (REORDER.test(simple)) return { kind: "reorder" };
  if (NEPALI.test(simple)) return { kind: "language", language: "ne" };
  if (ENGLISH.test(simple)) return { kind: "language", language: "en" };
  if (SKIP.test(simple)) return { kind: "skip" };
  const choice = CHOICE.exec(simple);
  if (choice) return { kind: "choice", index: Number(choice[1]) };
  const withQuantity = CHOICE_WITH_QUANTITY.exec(simple);
  if (withQuantity) return { kind: "choice", index: Number(withQuantity[1]), quantity: Number(withQuantity[2]) };

  const trimmed = raw.trim();
  const price = PRICE.exec(trimmed);
  if (price?.[1]) return { kind: "price", query: price[1].trim() };
  const add = ADD.exec(trimmed);
  if (add?.[1]) return { kind: "add", text: add[1].trim(), parsed: parseMessage(add[1], index) };
  const remove = REMOVE.exec(trimmed);
  if (remove?.[1]) return { kind: "remove", text: remove[1].trim() };

  const parsed = parseMessage(raw, index);
  if (parsed.rejected) return { kind: "other", text: trimmed.slice(0, 80), tooLong: true };
  if (parsed.items.length > 0 || parsed.unresolved.length > 0) return { kind: "order", parsed };
  switch (parsed.intent) {
    case "confirm":
      return { kind: "confirm" };
    case "cancel":
      return { kind: "cancel" };
    case "help":
      return { kind: "help" };
    case "balance":
      return { kind: "balance" };
    case "reorder":
      return { kind: "reorder" };
    case "status":
      return parsed.orderNumber ? { kind: "status", orderNumber: parsed.orderNumber } : { kind: "status" };
    default:
      return { kind: "other", text: trimmed.slice(0, 80) };
  }
}

/**
 * Which draft line a REMOVE means: a line number (`REMOVE 2`) or the best catalog match among the
 * draft's SKUs. Undefined when nothing in the draft fits.
 * @example findDraftLine(index, ["COKE-500ML"], "coke") // "COKE-500ML"
 */
export function findDraftLine(index: CatalogIndex, skus: readonly string[], query: string): string | undefined {
  const asNumber = /^\d{1,3}$/u.exec(simplify(query));
  if (asNumber) return skus[Number(asNumber[0]) - 1];
  const exact = skus.find((sku) => sku.toLowerCase() === query.trim().toLowerCase());
  if (exact) return exact;
  const inDraft = new Set(skus);
  return searchCatalog(index, query, 100).find((match) => inDraft.has(match.sku))?.sku;
}
