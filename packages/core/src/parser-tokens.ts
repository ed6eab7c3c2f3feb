import { isMultiplierWord, numberWordValue } from "./nepali-numbers.js";
import { rawTokens, STOPWORDS } from "./parser-text.js";
import { unitMeaning } from "./units.js";
import type { UnitMeaning } from "./units.js";

/** One classified token of a normalized segment of a message. */
export type Token =
  | { kind: "num"; value: number; word: boolean }
  | { kind: "unit"; meaning: UnitMeaning; text: string }
  | { kind: "numunit"; value: number; meaning: UnitMeaning }
  | { kind: "word"; text: string }
  | { kind: "code"; text: string };

const NUMBER = /^\d{1,7}(?:\.\d{1,3})?$/;
const NUMBER_WITH_SUFFIX = /^(\d{1,7}(?:\.\d{1,3})?)([\p{L}\p{M}][\p{L}\p{M}.]*)$/u;
const TIMES_PREFIX = /^x(\d{1,7})$/;
const TIMES_SUFFIX = /^(\d{1,7})x$/;
const CODE_SHAPE = /^[\p{L}\p{N}]+(?:[-_./][\p{L}\p{N}]+)+$/u;
// Single letters that are units only right after a number ("5 l", "500 g"); elsewhere they are words ("parle g").
const WEAK_UNITS = new Set(["l", "g", "gr", "lt", "lit", "ta", "tre", "pak", "pis", "than", "nos", "go"]);

/**
 * Classifies the words of a normalized text into numbers, units, number+unit ("10kg"), product
 * words and SKU-like codes. `isCode` decides whether a dashed token is a catalog code; when it is
 * not, the token is split into its parts ("coca-cola" → "coca", "cola").
 */
export function classifyTokens(normalized: string, isCode?: (raw: string) => boolean): Token[] {
  const raws = rawTokens(normalized);
  const out: Token[] = [];
  const pushRaw = (raw: string) => {
    if (NUMBER.test(raw)) {
      out.push({ kind: "num", value: Number(raw), word: false });
      return;
    }
    if (CODE_SHAPE.test(raw)) {
      if (isCode?.(raw)) {
        out.push({ kind: "code", text: raw });
        return;
      }
      const parts = raw.split(/[-_/']+|\.(?!\d)|(?<!\d)\./).filter((part) => part.length > 0);
      if (parts.length > 1 || (parts.length === 1 && parts[0] !== raw)) {
        for (const part of parts) pushRaw(part);
        return;
      }
    }
    const times = TIMES_PREFIX.exec(raw) ?? TIMES_SUFFIX.exec(raw);
    if (times) {
      out.push({ kind: "num", value: Number(times[1]), word: false });
      return;
    }
    const wordThenNumber = /^(\p{L}[\p{L}\p{M}]*?)(\d{1,7}(?:\.\d{1,3})?[\p{L}\p{M}.]*)$/u.exec(raw);
    if (wordThenNumber) {
      // "chini10kg": a word glued to an amount; "r1ce" is not split (its tail is no amount).
      const tail = wordThenNumber[2] ?? "";
      const tailUnit = NUMBER_WITH_SUFFIX.exec(tail)?.[2];
      if (NUMBER.test(tail) || (tailUnit !== undefined && unitMeaning(tailUnit.replace(/\.$/, "")) !== undefined)) {
        pushRaw(wordThenNumber[1] ?? "");
        pushRaw(tail);
        return;
      }
    }
    const glued = NUMBER_WITH_SUFFIX.exec(raw);
    if (glued) {
      const meaning = unitMeaning((glued[2] ?? "").replace(/\.$/, ""));
      if (meaning) {
        out.push({ kind: "numunit", value: Number(glued[1]), meaning });
        return;
      }
    }
    if (/^\d+$/.test(raw)) return; // a number too long to be a quantity (phone, bill number): noise
    out.push({ kind: "word", text: raw });
  };
  for (const raw of raws) pushRaw(raw);
  return resolveWords(out);
}

function resolveWords(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) continue;
    if (token.kind !== "word") {
      out.push(token);
      continue;
    }
    const word = token.text;
    const prev = out[out.length - 1];
    const next = tokens[i + 1];
    const nextIsUnit = next?.kind === "word" && unitMeaning(next.text) !== undefined && !WEAK_UNITS.has(next.text);
    if (word === "x" || word === "×") continue;
    if ((word === "a" || word === "an") && nextIsUnit) {
      out.push({ kind: "num", value: 1, word: true });
      continue;
    }
    const unit = unitMeaning(word);
    const number = numberWordValue(word);
    if (unit && number !== undefined) {
      // "tin" is 3 and a tin; "2 tin tel" is tins, "tin jar tel" and "5kg tin bora" are three jars, three bags.
      if (!nextIsUnit && (prev?.kind === "num" || prev?.kind === "numunit" || prev?.kind === "unit")) out.push({ kind: "unit", meaning: unit, text: word });
      else out.push({ kind: "num", value: number, word: true });
      continue;
    }
    if (word === "chha" || word === "छ") {
      if (nextIsUnit) out.push({ kind: "num", value: 6, word: true });
      continue;
    }
    if (number !== undefined) {
      if (isMultiplierWord(word) && prev?.kind === "num") {
        out[out.length - 1] = { kind: "num", value: prev.value * number, word: true };
      } else if (prev?.kind === "num" && prev.word && prev.value >= 20 && prev.value % 10 === 0 && number < 10) {
        out[out.length - 1] = { kind: "num", value: prev.value + number, word: true };
      } else {
        out.push({ kind: "num", value: number, word: true });
      }
      continue;
    }
    if (unit) {
      if (WEAK_UNITS.has(word) && prev?.kind !== "num") {
        out.push({ kind: "word", text: word });
      } else {
        out.push({ kind: "unit", meaning: unit, text: word });
      }
      continue;
    }
    if (STOPWORDS.has(word)) continue;
    out.push(token);
  }
  return out;
}
