import { areVariants, codeShape, fitProducts, lookupCode, soundsLikeProductWord } from "./catalog-index.js";
import type { CatalogIndex, ProductFit, SaleForm } from "./catalog-index.js";
import { normalizeText } from "./parser-text.js";
import { classifyTokens } from "./parser-tokens.js";
import type { Token } from "./parser-tokens.js";
import { unitMeaning } from "./units.js";
import type { Measure, UnitMeaning } from "./units.js";

/** What a message asks for. Only `order` messages carry lines. */
export type Intent = "order" | "status" | "confirm" | "cancel" | "help" | "balance" | "reorder" | "other";

/** An order line matched to one SKU, with its quantity in that SKU's sale units. */
export interface ResolvedItem {
  sku: string;
  quantity: number;
  /** The part of the message this line came from. */
  text: string;
  /** 0..1: how closely the words fit the product and the unit fits the SKU. */
  confidence: number;
}

/** A mention that could not become an order line, with ranked candidate SKUs and why. */
export interface UnresolvedItem {
  text: string;
  candidates: string[];
  reason: "unknown_product" | "ambiguous" | "no_quantity" | "unit_mismatch";
  /** The number the retailer wrote, when there was one. */
  quantity?: number;
  /**
   * For `ambiguous`: the quantity in each candidate's sale units, same order as `candidates`. It may
   * be shorter: candidates past its end are products the words fit whose sale unit the quantity does not.
   */
  candidateQuantities?: number[];
}

/** The reading of one message. */
export interface ParsedMessage {
  intent: Intent;
  items: ResolvedItem[];
  unresolved: UnresolvedItem[];
  /** An order number mentioned (ORD + digits), for status and cancel. */
  orderNumber?: string;
  /** Set when the message was not read at all (too long). */
  rejected?: { reason: string };
}

/** Longest message the parser reads; longer ones are rejected with a reason. */
export const MAX_MESSAGE_LENGTH = 4096;

const ACCEPT_COVERAGE = 0.75;
const MIN_PHRASE_SHARE = 0.25;
const TIE = 0.02;
// Below this a one-word mention matched by edit distance or sound, not by spelling or inflection.
const FUZZY_SHORT_WORD = 0.93;
// The similarity the dictionary gives a word one edit away from a catalog word.
const ONE_EDIT = 0.9;
const MAX_QUANTITY = 100_000;
const EMOJI = /[\p{Extended_Pictographic}\u{FE0F}\u{FE0E}\u{200D}\u{20E3}]/gu;

const CONFIRM_WHOLE = new Set([
  "confirm", "confirmed", "confirm order", "yes confirm", "confirm it", "yes", "y", "yes please", "ok confirm", "ok", "okay",
  "haan", "ha", "hajur", "ho", "hunchha", "huncha", "hunxa", "thik cha", "thik chha", "thikcha", "done", "pakka", "sure",
  "हो", "हुन्छ", "ठीक छ", "पक्का", "कन्फर्म",
]);
// A short message of agreement words and politeness only ("ho thik cha, pathaidinu 👍", "हुन्छ, कन्फर्म").
// Thanks are left out: "ok thank you" closes a chat, it does not place an order.
const CONFIRM_WORDS = new Set([
  "confirm", "confirmed", "yes", "ok", "okay", "haan", "ha", "hajur", "ho", "hunchha", "huncha", "hunxa", "thik", "thikcha", "done",
  "pakka", "sure", "हो", "हुन्छ", "ठीक", "ठिक", "पक्का", "कन्फर्म",
]);
const CONFIRM_FILLER = new Set([
  "cha", "chha", "xa", "छ", "please", "pls", "plz", "dai", "bhai", "didi", "sir", "ji", "hai", "la", "order", "it", "the", "is",
  "pathaidinu", "pathaidinus", "pathaunu", "pathaunus", "pathau", "garnu", "garnus", "garnuhos", "gardinu", "gardinus", "garidinu",
  "garidinus", "gara", "sabai", "tyo", "tei", "yo", "पठाइदिनु", "पठाइदिनुस्", "पठाइदिनुहोस्", "पठाइदिनुहोला", "पठाउनु", "पठाउनुस्",
  "पठाउनुहोस्", "पठाउनुहोला", "गर्नुस्", "गर्नुहोस्", "गर्नुहोला", "है",
  "दाइ", "हजुर",
]);
// "Yes, please go ahead with the order as listed.": agreement inside a sentence with no items.
const CONFIRM_PHRASE = /\b(?:go ahead|proceed|confirm(?:ed)?|place (?:the|my|this) order|yes please)\b|कन्फर्म/u;
function isConfirmation(bare: string): boolean {
  const words = bare.split(" ").filter(Boolean);
  return words.length > 0 && words.length <= 8 && words.every((w) => CONFIRM_WORDS.has(w) || CONFIRM_FILLER.has(w)) && words.some((w) => CONFIRM_WORDS.has(w));
}
const CANCEL_WHOLE = new Set([
  "no", "nah", "nope", "cancel", "chaidaina", "chahidaina", "pardaina", "hoina", "na", "radda", "rad", "नाइँ", "चाहिँदैन", "रद्द", "होइन",
]);
// `\b` is an ASCII word boundary: Devanagari words stand outside it.
const CANCEL = /\b(?:cancel|cancell?ed|radda)|रद्द/u;
const STATUS =
  /\b(?:status|track|tracking|where is|where's|wheres|when will|when is|dispatched|dispatch|shipped|arrive|arriving|arrived|reached|kaha pugyo|kaha pugeko|kahile aaucha|kahile aauchha|kahile aaunchha|kahile aauxa|kahile aaunxa|kahile pugcha|kahile pugchha|aayena|aaena|aako chaina|nahi aaya|nahin aaya|nahi aya|kab tak|kab aayega|kab aaega|kab milega|kahile samma|kati baje (?:samma )?(?:aau|pug|deliver|pathau|aai)\w*|(?:aaucha|aauncha|aaunchha|aauxa|aaunxa|pugcha|pugchha) ki (?:bholi|parsi|aaja|aajai)|kahile hunchha|kahile huncha|kahile hunxa|kati bela|when\b.{0,40}\b(?:reach|arrive|come|be delivered|deliver)|(?:aauncha|aaucha|aaunchha|aauchha|aauxa|pugcha|pugchha|pugxa) ki (?:nai|naai|nae|chaina))\b|स्थिति|कहाँ पुग्यो|कहिले आउँछ|आइपुग्छ|आइपुगेन|आएन|कहिले पुग्छ|कहिलेसम्म/u;
const HELP =
  /^(?:help|madat|sahayog|menu|start|\?+)$|\bhelp\b|\bmadat\b|\bformat\b|kasari pathaune|how (?:do|to|can) i\b|how to order|what can you do|don'?t understand|don t understand|dont understand|do not understand|bujhina|bujhena|kasari order|kasari garne|order kasari|kasari mangaune|मद्दत|सहयोग|कसरी अर्डर|अर्डर कसरी/u;
const BALANCE = /\b(?:balance|baki|baaki|bakaya|dues?|outstanding|credit|hisab|hisaab|udharo|statement|kati tirnu|owe|owed|how much (?:do )?(?:i|we) pay)\b|बाँकी|हिसाब|उधारो/u;
const REORDER = /\b(?:reorder|re-order|same as last|same order|last order again|repeat|usual|pahi?l[ae] ?(?:ko )?jast[ae]i|pahi?l[ae] jasto|feri tei|uhi order|same as before|pahile wala|pichhle wala|aghi ?(?:ko )?jast[ae]i|pahilekai|pahilakai|(?:feri|pheri) (?:pathai|pathau|order|tei|uhi)|last (?:week|time|hapta|mahina) ko order)\b|पहिले जस्तै|पहिलेकै|पहिले जस्तो|पहिलेको जस्तै|पहिलेको जस्तो|अघिको जस्तै|अघिल्लो पटक|अघिल्लो जस्तै|उही अर्डर|फेरि उही/u;
const PRICE = /\b(?:price|prices|rate|rates|kati ho|kati parchha|kati parcha|kati ho\?|dam|bhau|mulya)\b|मूल्य|भाउ|कति हो/u;
const ORDER_WORDS =
  /\b(?:order|send|need|want|chahiyo|chaiyo|chahincha|chaincha|pathau|pathaunu|pathaidinu|pathaidinus|dinu|dinus|deliver|please|pls|plz|kindly|required|chaahiyo)\b|चाहियो|पठाउनु|पठाइदिनु/u;
const ORDER_NUMBER = /\bord[-\s]?(\d{6,12})\b/u;
const GREETINGS =
  /\b(?:good (?:morning|evening|afternoon|night|day to you)|how are you|thank you|ke cha|k cha|k xa|kasto cha|sanchai|sanchai hunuhunchha)\b/gu;
const HEADER_LINE = /^\s*(?:sub\s*total|grand\s*total|total|date|invoice|bill\s*(?:no|#)|order\s*(?:#|no\.?)\s*\d+|from|to|address|phone|mob(?:ile)?)\b/iu;
const PRICE_PATTERNS: readonly RegExp[] = [
  // "Rs 50", never the "rs 50" at the end of "Snickers 50g".
  /(?<!\p{L})(?:rs|npr|inr|रु|रू)\.?\s*\d[\d,]*(?:\.\d+)?(?:\s*\/\s*-)?(?:\s*\/\s*\p{L}+)?/giu,
  // A price aside in brackets: "4 snickers (120 each rite?)", "(@ 45)", "(rate 98)".
  /\([^()]*\d[^()]*\b(?:each|per|rate|price|rs|npr|@)\b[^()]*\)|\([^()]*(?:@|rs\.?|rate|price)\s*\d[^()]*\)/giu,
  /@\s*(?:rs\.?\s*)?\d[\d,]*(?:\.\d+)?(?:\s*\/\s*\p{L}+)?/giu,
  /\d[\d,]*(?:\.\d+)?\s*\/-/gu,
  /\d[\d,]*(?:\.\d+)?\s*(?:rupees|rupiya|rupaiya|rs\b|rupaiyaa|रुपैयाँ)/giu,
  /(?:price|rate|dam|mulya)\s*[:=]?\s*\d[\d,]*(?:\.\d+)?(?:\s*\/\s*\p{L}+)?/giu,
  /\d[\d,]*(?:\.\d+)?\s*(?:ko\s+|ke\s+)?(?:rate|dam|daam|bhau|price)\b(?:\s*(?:ma|mai|me|मा))?/giu,
  /=\s*\d[\d,]*(?:\.\d+)?/gu,
];
const LEADING_NUMBERING = /^\s*(?:[-*•·▪►➤>–—]+\s*|\(\d{1,2}\)\s*|\d{1,2}[.)](?!\d)\s*|[a-h][.)]\s+)/u;
// "&" does not split: it is as often inside a name ("Fair & Lovely"), and quantities split the items anyway.
// Voice typing writes punctuation out: "sugar 20 kg comma rara 2 carton full stop".
const SEGMENT_SPLIT = /[,;،।]|\s*\b(?:comma|full ?stop|new ?line)\b\s*|\s+(?:and|ra|र|tatha|ani|अनि|aur|और)\s+|\s*\+\s*|(?<![\d])\s*\/\s*(?![\d])|\.\s+(?=[^\d\s])/iu;

interface Quantity {
  value?: number;
  unit?: UnitMeaning;
  size?: Measure;
}

interface Mention {
  text: string;
  words: string[];
  code?: string;
  quantities: Quantity[];
  hints: UnitMeaning[];
  /** "mayos chaidaina", "sprite cancel": the retailer takes this product back out of the message. */
  retracted?: boolean;
}

// Words that take a product back out of the order it was written in.
const RETRACT_WORDS = new Set([
  "chaidaina", "chahidaina", "chaindaina", "chahindaina", "chaidain", "nachahine", "napathaunu", "napathau", "hatau", "hataunu",
  "hataidinu", "hatayidinu", "cancel", "remove", "chaiyena", "pardaina", "चाहिँदैन", "चाहिदैन", "चाहिंदैन", "हटाउनु", "नपठाउनु",
]);

type Outcome =
  | { kind: "resolved"; item: ResolvedItem }
  | { kind: "unresolved"; item: UnresolvedItem; known: boolean; gate: boolean };

/**
 * Reads one WhatsApp message against a catalog: its intent and, for orders, resolved lines (SKU,
 * quantity in sale units) and unresolved mentions (with candidates and a reason). Never throws;
 * messages over 4,096 characters are rejected with a reason.
 * @example parseMessage("chini 10 kg ra tel 2 jar", index).items
 */
export function parseMessage(text: string, index: CatalogIndex): ParsedMessage {
  const input = typeof text === "string" ? text : String(text ?? "");
  if (input.length > MAX_MESSAGE_LENGTH) {
    return {
      intent: "other",
      items: [],
      unresolved: [],
      rejected: { reason: `message is ${input.length} characters; the limit is ${MAX_MESSAGE_LENGTH}. Send the order in shorter messages.` },
    };
  }
  try {
    return readMessage(input, index);
  } catch (error) {
    // A bug must not take the bot down with it: the message is reported unread instead.
    return { intent: "other", items: [], unresolved: [], rejected: { reason: `the message could not be read (${(error as Error).message})` } };
  }
}

function readMessage(text: string, index: CatalogIndex): ParsedMessage {
  const normal = normalizeText(text);
  const compact = normal.replace(/[^\p{L}\p{M}\p{N}\s?]/gu, " ").replace(/\s+/g, " ").trim();
  const bare = compact.replace(/\?/g, "").trim();
  const numberMatch = ORDER_NUMBER.exec(normal);
  const orderNumber = numberMatch ? `ORD${numberMatch[1]}` : undefined;
  const withNumber = (intent: Intent): ParsedMessage => ({ intent, items: [], unresolved: [], ...(orderNumber ? { orderNumber } : {}) });

  const readOutcomes = (): Outcome[] => {
    const out: Outcome[] = [];
    for (const line of text.split(/\r\n|\r|\n/)) {
      for (const mention of mentionsInLine(line, index)) {
        const outcome = resolveMention(mention, index);
        if (!mention.retracted) {
          out.push(outcome);
          continue;
        }
        // "wai wai 2 peti, mayos 1 peti / mayos chaidaina": drop what was asked of that product before.
        const skus = new Set(outcome.kind === "resolved" ? [outcome.item.sku] : outcome.item.candidates);
        for (let i = out.length - 1; i >= 0; i--) {
          const earlier = out[i];
          if (earlier && (earlier.kind === "resolved" ? skus.has(earlier.item.sku) : earlier.item.candidates.some((c) => skus.has(c)))) out.splice(i, 1);
        }
      }
    }
    return out;
  };
  let outcomes: Outcome[] | undefined;
  if (CANCEL_WHOLE.has(bare)) return withNumber("cancel");
  if (CANCEL.test(compact)) {
    // "sprite cancel, fanta 500ml 12" still orders; "cancel my order" does not.
    outcomes = readOutcomes();
    if (!outcomes.some((o) => o.kind === "resolved")) return withNumber("cancel");
  }
  const trimmed = text.trim();
  if (
    outcomes === undefined &&
    (CONFIRM_WHOLE.has(bare) || isConfirmation(bare) || /^(?:👍|✅|👌)+$/u.test(trimmed.replace(/\s|\uFE0F/gu, "")) || (orderNumber && /^confirm\b/.test(bare)))
  ) {
    return withNumber("confirm");
  }
  if (outcomes === undefined && (STATUS.test(compact) || orderNumber)) return withNumber("status");

  outcomes ??= readOutcomes();
  const items: ResolvedItem[] = [];
  const unresolved: UnresolvedItem[] = [];
  const orderish = ORDER_WORDS.test(compact);
  const hasKnown = outcomes.some((o) => o.kind === "resolved" || o.known);
  for (const outcome of outcomes) {
    if (outcome.kind === "resolved") items.push(outcome.item);
    else if (outcome.known || (outcome.gate && (hasKnown || orderish))) unresolved.push(outcome.item);
  }
  if (PRICE.test(compact) && items.length === 0) return withNumber("other");
  if (items.length === 0 && unresolved.length === 0 && CONFIRM_PHRASE.test(compact)) return withNumber("confirm");
  if (items.length > 0 || unresolved.length > 0) return { intent: "order", items, unresolved };
  if (HELP.test(compact)) return withNumber("help");
  if (BALANCE.test(compact)) return withNumber("balance");
  if (REORDER.test(compact)) return withNumber("reorder");
  return withNumber("other");
}

function cleanLine(line: string): string {
  let out = line.normalize("NFKC").replace(EMOJI, " ");
  if (HEADER_LINE.test(out) && !/\d\s*(?:kg|bora|pkt|packet|ltr|litre|liter|ctn|carton)/iu.test(out)) return "";
  out = out.replace(LEADING_NUMBERING, " ");
  for (const pattern of PRICE_PATTERNS) out = out.replace(pattern, " ");
  // Times are not quantities: "10 am", "8 baje", "5 o'clock"; table pipes are column gaps.
  out = out.replace(/\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|baje|o'?clock)\b|बजे/giu, " ").replace(/\|/g, " ");
  return out.replace(GREETINGS, " ");
}

function mentionsInLine(line: string, index: CatalogIndex): Mention[] {
  // "hot and sweet sauce", "sunsilk thick and long": an "and" the catalog writes inside a name does not split.
  // The separator is found first and its neighbouring words read after (a pattern that captured the
  // words would backtrack quadratically on one long word).
  const raw = cleanLine(line);
  const cleaned =
    index.joinedPairs.size === 0
      ? raw
      : raw.replace(/(?<=\p{L})(?:\s+(?:and|n|&)\s+|\s*&\s*)(?=\p{L})/giu, (separator: string, offset: number) => {
          const before = /\p{L}+$/u.exec(raw.slice(Math.max(0, offset - 40), offset))?.[0] ?? "";
          const after = /^\p{L}+/u.exec(raw.slice(offset + separator.length, offset + separator.length + 40))?.[0] ?? "";
          return index.joinedPairs.has(`${before.toLowerCase()} ${after.toLowerCase()}`) ? " " : separator;
        });
  if (!cleaned.trim()) return [];
  const out: Mention[] = [];
  // A token that resembles a catalog code stays one code, even when its digits match no SKU.
  // So does one shaped exactly like the catalog's SKUs ("BEV-PEP-500" among "GRC-SOY-200"): an
  // unknown code, reported as one line.
  const isCode = (raw: string) => (lookupCode(index, raw, { sameDigits: false })?.products.length ?? 0) > 0 || index.codeShapes.has(codeShape(raw));
  // A number the catalog writes as part of a name ("KitKat 4 Finger", "5 Star") is not a quantity.
  const tokensOf = (text: string) =>
    classifyTokens(normalizeText(text).replace(GREETINGS, " "), isCode).filter((token, i, all) => {
      const next = all[i + 1];
      return !(token.kind === "num" && !token.word && next?.kind === "word" && index.nameNumbers.get(next.text)?.has(token.value));
    });
  for (const segment of cleaned.split(SEGMENT_SPLIT).flatMap((s) => splitAtLabel(s ?? "", tokensOf))) {
    const segmentText = segment.replace(/\s+/g, " ").trim();
    if (!segmentText) continue;
    const all = tokensOf(segmentText);
    const retracted = all.some((t) => t.kind === "word" && RETRACT_WORDS.has(t.text));
    const tokens = retracted ? all.filter((t) => !(t.kind === "word" && RETRACT_WORDS.has(t.text))) : all;
    const mentions = splitMentions(segmentText, tokens);
    if (retracted) {
      for (const mention of mentions) mention.retracted = true;
      out.push(...mentions);
      continue;
    }
    const last = out[out.length - 1];
    if (mentions.length === 0 && last && last.code === undefined) {
      const elements = toElements(tokens);
      const quantities = elements.flatMap((e) => (e.kind === "q" ? [e.q] : []));
      const hints = elements.flatMap((e) => (e.kind === "h" ? [e.unit] : []));
      if (last.quantities.length === 0) {
        // "fair n lovely, send 6pc": a quantity on its own after a product without one is its quantity.
        last.quantities.push(...quantities);
        last.hints.push(...hints);
        if (quantities.length > 0) last.text = `${last.text}, ${segmentText}`;
      } else if (quantities.some((q) => q.value !== undefined && q.unit !== undefined)) {
        // "wai wai 1 carton ra 10 packet": another amount of the same product, in its own unit.
        out.push({ text: `${last.words.join(" ")} ${segmentText}`, words: [...last.words], quantities, hints });
      }
      continue;
    }
    out.push(...mentions);
  }
  return out;
}

// "bholi pathaunu hai: chamal 10 kg" is a note, then the item; "chini: 10 kg" is one item (the
// name, then its quantity). A colon (or a spaced dash: "for this week - dove 6") splits only when
// words that could name a product follow it.
function splitAtLabel(segment: string, tokensOf: (text: string) => Token[]): string[] {
  const colon = /(?<!\d)\s*:\s*(?!\d)|\s+[-–—]+\s+/u.exec(segment);
  if (!colon) return [segment];
  const after = segment.slice(colon.index + colon[0].length);
  if (!tokensOf(after).some((t) => t.kind === "word" || t.kind === "code")) return [segment];
  return [segment.slice(0, colon.index), ...splitAtLabel(after, tokensOf)];
}

type Element = { kind: "q"; q: Quantity } | { kind: "w"; word: string } | { kind: "c"; code: string } | { kind: "h"; unit: UnitMeaning };

function toElements(tokens: readonly Token[]): Element[] {
  const elements: Element[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) continue;
    if (token.kind === "num" || token.kind === "numunit") {
      const q: Quantity = { value: token.value };
      let unit = token.kind === "numunit" ? token.meaning : undefined;
      const next = tokens[i + 1];
      if (!unit && next?.kind === "unit") {
        unit = next.meaning;
        i++;
      }
      if (unit) q.unit = unit;
      const after = tokens[i + 1];
      if (unit?.kind === "measure" && after?.kind === "unit" && after.meaning.kind === "count") {
        // "25kg bora", "500ml bottle": a size of the package, not an amount.
        elements.push({ kind: "q", q: { size: { dim: unit.dim, amount: (q.value ?? 0) * unit.factor }, unit: after.meaning } });
        i++;
        continue;
      }
      elements.push({ kind: "q", q });
    } else if (token.kind === "unit") {
      elements.push({ kind: "h", unit: token.meaning });
    } else if (token.kind === "word") {
      elements.push({ kind: "w", word: token.text });
    } else {
      elements.push({ kind: "c", code: token.text });
    }
  }
  return elements;
}

function splitMentions(text: string, tokens: readonly Token[]): Mention[] {
  const elements = toElements(tokens);
  interface Run {
    words: string[];
    code?: string;
    quantities: Quantity[];
    hints: UnitMeaning[];
    start: number;
  }
  const runs: Run[] = [];
  let current: Run | undefined;
  elements.forEach((element, position) => {
    if (element.kind === "w") {
      if (!current || current.code !== undefined) {
        current = { words: [], quantities: [], hints: [], start: position };
        runs.push(current);
      }
      current.words.push(element.word);
    } else if (element.kind === "c") {
      current = { words: [], code: element.code, quantities: [], hints: [], start: position };
      runs.push(current);
    } else if (element.kind === "q" && element.q.value !== undefined) {
      // A size alone ("15L tin") describes the product around it and does not end the mention.
      current = undefined;
    }
  });
  if (runs.length === 0) return [];
  const firstIsQuantity = elements[0]?.kind === "q";
  let runIndex = -1;
  elements.forEach((element, position) => {
    while (runIndex + 1 < runs.length && (runs[runIndex + 1]?.start ?? Infinity) <= position) runIndex++;
    const owner = runs.length === 1 ? runs[0] : firstIsQuantity ? (runs[runIndex + 1] ?? runs[runIndex]) : (runs[runIndex] ?? runs[0]);
    if (!owner) return;
    if (element.kind === "q") owner.quantities.push(element.q);
    else if (element.kind === "h") owner.hints.push(element.unit);
  });
  return runs.map((run) => ({
    text: runs.length === 1 ? text : [...run.words, run.code ?? ""].join(" ").trim(),
    words: run.words,
    ...(run.code !== undefined ? { code: run.code } : {}),
    quantities: run.quantities,
    hints: run.hints,
  }));
}

interface Amount {
  value: number;
  unit?: UnitMeaning;
}

function readQuantities(mention: Mention): { amount?: Amount; size?: Measure; unitHint?: UnitMeaning } {
  const counts = mention.quantities.filter((q) => q.value !== undefined && (!q.unit || q.unit.kind === "count"));
  const measures = mention.quantities.filter((q) => q.value !== undefined && q.unit?.kind === "measure");
  const sized = mention.quantities.find((q) => q.size);
  const measureOf = (q: Quantity | undefined): Measure | undefined =>
    q?.unit?.kind === "measure" && q.value !== undefined ? { dim: q.unit.dim, amount: q.value * q.unit.factor } : undefined;
  const hint = mention.hints[0];
  const first = counts[0];
  if (first?.value !== undefined) {
    const unit = first.unit ?? sized?.unit ?? hint;
    return { amount: { value: first.value, ...(unit ? { unit } : {}) }, ...optionalSize(measureOf(measures[0]) ?? sized?.size) };
  }
  const last = measures[measures.length - 1];
  if (last?.value !== undefined && last.unit) {
    const size = measures.length > 1 ? measureOf(measures[0]) : sized?.size;
    return { amount: { value: last.value, unit: last.unit }, ...optionalSize(size) };
  }
  const unitHint = sized?.unit ?? hint;
  return { ...optionalSize(sized?.size), ...(unitHint ? { unitHint } : {}) };
}

function optionalSize(size: Measure | undefined): { size?: Measure } {
  return size ? { size } : {};
}

const MULTI_PACKS = new Set(["carton", "crate", "tray", "dozen"]);
const SINGLE_WORDS = new Set(["piece", "packet", "bottle", "pouch", "bar", "jar", "tin", "roll"]);

function isMultiPack(form: SaleForm | undefined): boolean {
  return form?.sale.kind === "count" && MULTI_PACKS.has(form.sale.unit);
}

// "Match Box (dozen)": a package word that is part of the name is no package hint.
function nameSaysUnit(name: string, unit: string): boolean {
  return normalizeText(name)
    .split(/[^\p{L}]+/u)
    .some((word) => {
      const meaning = unitMeaning(word);
      return meaning?.kind === "count" && meaning.unit === unit;
    });
}

// Package words that are a form of their own: a bar is not a packet of powder, a roll not a pouch.
const OWN_FORMS = new Set(["bar", "roll"]);

/** Sale units of a SKU that `amount` stands for, and how directly (3 = the SKU's own unit). */
function fitAmount(form: SaleForm, amount: Amount): { quantity: number; grade: number } | undefined {
  const { value, unit } = amount;
  const whole = (q: number, grade: number) => {
    const rounded = Math.round(q);
    return Math.abs(q - rounded) < 1e-9 && rounded >= 1 && rounded <= MAX_QUANTITY ? { quantity: rounded, grade } : undefined;
  };
  if (!unit) return whole(value, 2);
  const multiPack = form.sale.kind === "count" && MULTI_PACKS.has(form.sale.unit);
  if (unit.kind === "measure") {
    if (!form.perUnit || form.perUnit.dim !== unit.dim) return undefined;
    const base = value * unit.factor;
    const grade = form.sale.kind === "measure" ? 3 : form.nameSize && Math.abs(form.nameSize.amount - base) < 1e-6 ? 2.5 : 2;
    return whole(base / form.perUnit.amount, grade);
  }
  const word = unit.unit;
  if (form.containers.has(word)) return whole(value, 3);
  if (word === "dozen") {
    if (multiPack) return form.innerCount ? whole((value * 12) / form.innerCount, 2) : undefined;
    return form.sale.kind === "count" ? whole(value * 12, 2) : undefined;
  }
  if (form.sale.kind === "measure") {
    // "20 bottles oil" for an "Oil (1L)" sold per litre: each package holds the size in the name.
    if (form.nameSize && form.perUnit && form.nameSize.dim === form.perUnit.dim && !MULTI_PACKS.has(word)) {
      return whole((value * form.nameSize.amount) / form.perUnit.amount, word === "piece" ? 2 : 1.5);
    }
    return undefined;
  }
  if (multiPack) return SINGLE_WORDS.has(word) && form.innerCount ? whole(value / form.innerCount, 2) : undefined;
  if (word === "piece") return whole(value, 2.5);
  if (SINGLE_WORDS.has(word) && !OWN_FORMS.has(word) && [...form.containers].some((c) => SINGLE_WORDS.has(c) && !OWN_FORMS.has(c))) return whole(value, 1);
  return undefined;
}

function sameSize(a: Measure | undefined, b: Measure): boolean {
  return a !== undefined && a.dim === b.dim && Math.abs(a.amount - b.amount) <= b.amount * 0.005;
}

function resolveMention(mention: Mention, index: CatalogIndex): Outcome {
  const { amount, size, unitHint } = readQuantities(mention);
  const quantityField = amount ? { quantity: amount.value } : {};
  const skuOf = (p: number) => index.products[p]?.sku ?? "";
  let tight: ProductFit[];
  let wide: ProductFit[];
  if (mention.code !== undefined) {
    const code = lookupCode(index, mention.code);
    const fits = (code?.products ?? []).map((product) => ({
      product,
      mentionCoverage: 1,
      wholePhrase: true,
      score: code?.similarity ?? 0,
      family: "code",
      phraseShare: 1,
    }));
    tight = fits;
    wide = fits;
  } else {
    // A word that explains only a sliver of a long name ("paneer" in "Shahi Paneer Masala 100 g")
    // is not a match: such fits stay candidates for the question, never an order line.
    // Single letters alone name nothing (the "P" of an unknown code "P9999-GHEE-2L").
    if (mention.words.length > 0 && mention.words.every((word) => /^\p{L}$/u.test(word))) {
      return { kind: "unresolved", known: false, gate: false, item: { text: mention.text, candidates: [], reason: "unknown_product", ...quantityField } };
    }
    // "pani" after a product's name is Nepali for "also" ("fanta pani 1 darjan"); alone it is water.
    const words = mention.words.filter((word, i) => i === 0 || word !== "pani");
    const fits = fitProducts(index, words);
    const best = fits.find((f) => f.phraseShare >= MIN_PHRASE_SHARE) ?? fits[0];
    // One short word that only looks like a catalog word ("besan" for "besar", "lays" for "laks") is
    // as likely another product as a typo: it becomes a question with the candidate, never a line.
    // One letter off and sounding the same ("lyzol" for "lizol") is a typo.
    const word = words[0] ?? "";
    const typo = (fit: ProductFit) => fit.mentionCoverage >= ONE_EDIT - 1e-9 && soundsLikeProductWord(index, word, fit.product);
    const onlyResembles = best !== undefined && words.length === 1 && [...word].length <= 5 && best.mentionCoverage < FUZZY_SHORT_WORD && !typo(best);
    if (!best || onlyResembles || best.mentionCoverage < ACCEPT_COVERAGE || best.phraseShare < MIN_PHRASE_SHARE) {
      const candidates = fits.filter((f) => f.score >= 0.3).slice(0, 3).map((f) => skuOf(f.product));
      // An unknown word with a quantity is an order line for a product we do not carry ("okra 5");
      // a long unknown phrase with a big bare number is chatter ("xyz abc 123").
      // A longer one with a quantity and a catalog word ("dabur amla hair oil 6") is a product of a
      // brand we carry that we do not: it is reported, not dropped.
      const gate =
        amount !== undefined &&
        (amount.unit !== undefined ||
          (amount.value <= 100 && Number.isInteger(amount.value) && (mention.words.length <= 3 || mention.words.some((w) => index.words.ids.has(w)))));
      return { kind: "unresolved", known: gate, gate, item: { text: mention.text, candidates, reason: "unknown_product", ...quantityField } };
    }
    const accepted = fits.filter((f) => f.mentionCoverage >= ACCEPT_COVERAGE && f.phraseShare >= MIN_PHRASE_SHARE);
    tight = accepted.filter((f) => f.score >= best.score - TIE);
    wide = accepted.filter((f) => f.score >= best.score - 0.12).slice(0, 60);
  }
  if (tight.length === 0) {
    // A code with no such SKU ("SXL-EZW-2K" when there is only 1K) is an order line we cannot fill.
    const similar = mention.code !== undefined ? (lookupCode(index, mention.code, { sameDigits: false })?.products ?? []).map(skuOf) : [];
    const known = mention.code !== undefined;
    return { kind: "unresolved", known, gate: known, item: { text: mention.text, candidates: similar.slice(0, 3), reason: "unknown_product", ...quantityField } };
  }
  const topCoverage = tight[0]?.mentionCoverage ?? 0;
  const unresolved = (reason: UnresolvedItem["reason"], fits: readonly ProductFit[], extra: Partial<UnresolvedItem> = {}): Outcome => ({
    kind: "unresolved",
    // A typo-level match with no quantity is too weak to call the message an order.
    known: reason !== "no_quantity" || topCoverage >= 0.97 || mention.code !== undefined,
    gate: false,
    item: { text: mention.text, candidates: fits.slice(0, 8).map((f) => skuOf(f.product)), reason, ...quantityField, ...extra },
  });

  const bySize = (fits: readonly ProductFit[]) =>
    size ? fits.filter((f) => sameSize(index.forms[f.product]?.nameSize ?? index.forms[f.product]?.perUnit, size)) : [...fits];
  let pool = bySize(tight);
  if (pool.length === 0) pool = bySize(wide);
  if (pool.length === 0) return unresolved("unit_mismatch", tight);
  // A package word beside the name ("wheel bar 2 dozen") narrows to the SKUs sold in that package.
  // One no SKU is sold in ("wheel bar 20" when Wheel is only powder packets) is another product.
  const spareHint = mention.hints.find((h) => h.kind === "count" && h !== amount?.unit);
  if (spareHint?.kind === "count") {
    const hinted = pool.filter((f) => index.forms[f.product]?.containers.has(spareHint.unit));
    if (hinted.length > 0) pool = hinted;
    else if (
      spareHint.unit !== "piece" &&
      !pool.some((f) => nameSaysUnit(index.products[f.product]?.name ?? "", spareHint.unit)) &&
      // "paani bottle 5 carton": the bottles are what a carton holds.
      !(SINGLE_WORDS.has(spareHint.unit) && pool.some((f) => isMultiPack(index.forms[f.product])))
    ) {
      return unresolved("unit_mismatch", pool);
    }
  }

  if (!amount) {
    let narrowed = pool;
    if (unitHint) {
      const hinted = pool.filter((f) => {
        const form = index.forms[f.product];
        return form !== undefined && fitAmount(form, { value: 1, unit: unitHint }) !== undefined;
      });
      if (hinted.length > 0) narrowed = hinted;
    }
    return unresolved("no_quantity", narrowed);
  }

  const graded = (fits: readonly ProductFit[]) =>
    fits.flatMap((fit) => {
      const form = index.forms[fit.product];
      const fitted = form ? fitAmount(form, amount) : undefined;
      return fitted ? [{ fit, ...fitted }] : [];
    });
  let options = graded(pool);
  if (options.length === 0 && pool.length < wide.length) options = graded(bySize(wide));
  if (options.length === 0) return unresolved("unit_mismatch", pool);

  // Units choose between variants of one product (sizes, packs), never between different products:
  // "rice 10kg" must not pick beaten rice sold per kg over rice sold in packets.
  const families = new Set(options.map((o) => o.fit.family));
  if (families.size > 1) {
    const bestOfFamily = [...families].map((family) => {
      const members = options.filter((o) => o.fit.family === family);
      const grade = Math.max(...members.map((o) => o.grade));
      return members.filter((o) => o.grade === grade).sort((a, b) => b.fit.score - a.fit.score)[0];
    });
    const leaders = bestOfFamily.filter((o): o is NonNullable<typeof o> => o !== undefined).sort((a, b) => b.fit.score - a.fit.score);
    const first = leaders[0];
    const contenders = first ? leaders.filter((o) => o.fit.score >= first.fit.score - TIE) : [];
    if (contenders.length > 1) {
      const shown = contenders.flatMap((leader) =>
        options.filter((o) => o.fit.family === leader.fit.family && o.grade === leader.grade && o.fit.score >= leader.fit.score - TIE),
      );
      return unresolved(
        "ambiguous",
        shown.map((o) => o.fit),
        { candidateQuantities: shown.slice(0, 8).map((o) => o.quantity) },
      );
    }
    options = options.filter((o) => o.fit.family === first?.fit.family);
  }
  const bestGrade = Math.max(...options.map((o) => o.grade));
  const top = options.filter((o) => o.grade === bestGrade).sort((a, b) => b.fit.score - a.fit.score);
  const leader = top[0];
  if (!leader) return unresolved("unit_mismatch", pool);
  const tied = top.filter((o) => o.fit.score >= leader.fit.score - TIE);
  // A size or unit picks between variants of one product; it does not pick between brands the
  // words fit equally ("tel 5 litre" with Dhara 1L, Dhara 5L and Fortune 1L is a question).
  // Nor does it pick a brand when only one brand is sold that way ("churot 2 carton" with Surya
  // packets and cartons and Shikhar packets): the words fit another product as well as the leader.
  const rivals = pool.filter((f) => f.score >= leader.fit.score - TIE && !areVariants(index, f.product, leader.fit.product));
  if (rivals.length > 0) {
    const shown = options.filter((o) => o.fit.score >= leader.fit.score - TIE).sort((a, b) => b.grade - a.grade || b.fit.score - a.fit.score);
    // Other products the unit does not fit are named too (not more sizes of the ones shown).
    const unfitting = rivals.filter((f) => !shown.some((o) => areVariants(index, o.fit.product, f.product)));
    return unresolved(
      "ambiguous",
      [...shown.map((o) => o.fit), ...unfitting],
      { candidateQuantities: shown.slice(0, 8).map((o) => o.quantity) },
    );
  }
  if (tied.length > 1) {
    return unresolved(
      "ambiguous",
      tied.map((o) => o.fit),
      { candidateQuantities: tied.slice(0, 8).map((o) => o.quantity) },
    );
  }
  // A word the product does not explain and a unit it is not sold in ("khukuri rum 2 bottle" for
  // Khukuri cigarettes) together say another product: ask instead.
  if (bestGrade < 2 && leader.fit.mentionCoverage < 0.9) return unresolved("unknown_product", [leader.fit]);
  const gradeFactor = bestGrade >= 3 ? 1 : bestGrade >= 2.5 ? 0.97 : bestGrade >= 2 ? 0.95 : 0.85;
  return {
    kind: "resolved",
    item: {
      sku: skuOf(leader.fit.product),
      quantity: leader.quantity,
      text: mention.text,
      confidence: Math.round(leader.fit.score * gradeFactor * 1000) / 1000,
    },
  };
}

/** One parse result in the contract JSON-lines shape (`khaacho parse --jsonl`). */
export function toParseContractLine(
  id: string,
  parsed: ParsedMessage,
): { id: string; intent: Intent; items: { sku: string; quantity: number }[]; unresolved: { text: string; candidates: string[] }[] } {
  return {
    id,
    intent: parsed.intent,
    items: parsed.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    unresolved: parsed.unresolved.map((u) => ({ text: u.text, candidates: [...u.candidates] })),
  };
}
