import type { Intent, ParsedMessage } from "./parser.js";

/** One labelled message of a parse corpus (test/fixtures/parse-corpus.jsonl). */
export interface LabelledMessage {
  id: string;
  text: string;
  intent: Intent;
  items: { sku: string; quantity: number }[];
  /** Expected unresolved mentions; `reason` and `candidates`, when given, must equal the parser's. */
  unresolved: { reason?: string; text?: string; candidates?: string[] }[];
}

/** A message the parser did not get exactly right. */
export interface ParseMiss {
  id: string;
  text: string;
  expected: Pick<LabelledMessage, "intent" | "items" | "unresolved">;
  got: { intent: Intent; items: { sku: string; quantity: number }[]; unresolved: { reason: string; candidates: string[] }[] };
}

/** Accuracy of a parser over a labelled corpus. */
export interface ParseScore {
  messages: number;
  exactMatches: number;
  /** Share of messages with intent, every line, quantity and unresolved mention right and nothing extra. */
  exactMatchRate: number;
  intentAccuracy: number;
  itemPrecision: number;
  itemRecall: number;
  /** F1 over resolved lines (SKU and quantity must both be right). */
  itemF1: number;
  /** Resolved lines whose SKU the message did not ask for at all (the costly error). */
  falseMatches: number;
  misses: ParseMiss[];
}

function multisetOverlap(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  let overlap = 0;
  for (const y of b) {
    const n = counts.get(y) ?? 0;
    if (n > 0) {
      overlap++;
      counts.set(y, n - 1);
    }
  }
  return overlap;
}

function unresolvedMatch(expected: LabelledMessage["unresolved"], got: ParsedMessage["unresolved"]): boolean {
  if (expected.length !== got.length) return false;
  const left = [...got];
  // Most specific expectations first, so a bare reason does not take the slot a candidate list needs.
  const ordered = [...expected].sort((a, b) => (b.candidates ? 1 : 0) - (a.candidates ? 1 : 0));
  for (const want of ordered) {
    const at = left.findIndex(
      (g) =>
        (want.reason === undefined || g.reason === want.reason) &&
        (!want.candidates || (want.candidates.length === g.candidates.length && want.candidates.every((c) => g.candidates.includes(c)))),
    );
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

/**
 * Scores a parser against a labelled corpus: message exact-match, intent accuracy, item
 * precision/recall/F1 and false matches (wrong SKUs emitted).
 * @example scoreParses(corpus, (text) => parseMessage(text, index)).exactMatchRate
 */
export function scoreParses(corpus: readonly LabelledMessage[], parse: (text: string) => ParsedMessage): ParseScore {
  let exact = 0;
  let intents = 0;
  let truePositives = 0;
  let predicted = 0;
  let wanted = 0;
  let falseMatches = 0;
  const misses: ParseMiss[] = [];
  for (const labelled of corpus) {
    const parsed = parse(labelled.text);
    const want = labelled.items.map((i) => `${i.sku}*${i.quantity}`);
    const got = parsed.items.map((i) => `${i.sku}*${i.quantity}`);
    const overlap = multisetOverlap(want, got);
    truePositives += overlap;
    predicted += got.length;
    wanted += want.length;
    const wantedSkus = new Set(labelled.items.map((i) => i.sku));
    falseMatches += parsed.items.filter((i) => !wantedSkus.has(i.sku)).length;
    const intentOk = parsed.intent === labelled.intent;
    if (intentOk) intents++;
    const ok = intentOk && overlap === want.length && overlap === got.length && unresolvedMatch(labelled.unresolved, parsed.unresolved);
    if (ok) exact++;
    else {
      misses.push({
        id: labelled.id,
        text: labelled.text,
        expected: { intent: labelled.intent, items: labelled.items, unresolved: labelled.unresolved },
        got: {
          intent: parsed.intent,
          items: parsed.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
          unresolved: parsed.unresolved.map((u) => ({ reason: u.reason, candidates: u.candidates })),
        },
      });
    }
  }
  const precision = predicted === 0 ? 1 : truePositives / predicted;
  const recall = wanted === 0 ? 1 : truePositives / wanted;
  const n = corpus.length;
  return {
    messages: n,
    exactMatches: exact,
    exactMatchRate: n === 0 ? 1 : exact / n,
    intentAccuracy: n === 0 ? 1 : intents / n,
    itemPrecision: precision,
    itemRecall: recall,
    itemF1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    falseMatches,
    misses,
  };
}
