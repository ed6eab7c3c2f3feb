import DoubleMetaphone from "natural/lib/natural/phonetics/double_metaphone.js";
import { romanizeDevanagari } from "./nepali-numbers.js";
import { classifyTokens } from "./parser-tokens.js";
import { normalizeText } from "./parser-text.js";
import { catalogUnitMeaning, innerCountInName, sizeInName, unitMeaning } from "./units.js";
import type { Measure, UnitMeaning } from "./units.js";

/** A product as the parser needs it: a catalog row without vendor offers. */
export interface CatalogProduct {
  sku: string;
  name: string;
  unit: string;
  pricePaisa: number;
  aliases: readonly string[];
  category?: string | undefined;
}

/** How one SKU is sold, derived from its unit column and its name. */
export interface SaleForm {
  /** The unit column read as a measure (sold per kg / litre) or a package kind. */
  sale: UnitMeaning;
  /** Amount of goods in one sale unit, when known ("Rice 25kg Bora", or 1 kg for a per-kg SKU). */
  perUnit: Measure | undefined;
  /** The size written in the name, which picks between variants ("500ml", "25kg"). */
  nameSize: Measure | undefined;
  /** Package words one sale unit can be called ("bag" for a bora, "pouch" for "Oil 1L Pouch"). */
  containers: ReadonlySet<string>;
  /** Inner items in a multi-pack (carton of 30 packets, dozen = 12, tray of 30). */
  innerCount: number | undefined;
}

interface Phrase {
  product: number;
  terms: number[];
  /** `tokenWeight` of each term, in step with `terms`. */
  termWeights: number[];
  weight: number;
  /** The terms joined: variants of one product (sizes, packs) share it. */
  family: string;
}

/** A word from the catalog that a message word matched, and how closely (1 = exactly). */
export interface TermMatch {
  term: number;
  similarity: number;
}

const metaphone = new DoubleMetaphone();
const DEVANAGARI = /[\u0900-\u097F]/u;
const MULTI_PACKS = new Set(["carton", "crate", "tray", "dozen"]);

function editAllowance(length: number, forCodes: boolean): number {
  if (forCodes) return length >= 5 ? 1 : 0;
  return length >= 6 ? 2 : length >= 4 ? 1 : 0;
}

/** Optimal-string-alignment distance, giving up (returning max + 1) once it must exceed `max`. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let prevPrev = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min((prev[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        value = Math.min(value, (prevPrev[j - 2] ?? 0) + 1);
      }
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, current] = [prev, current, prevPrev];
  }
  return prev[n] ?? max + 1;
}

function deletesUpTo(word: string, depth: number, into: Set<string>): void {
  if (depth <= 0 || word.length <= 1) return;
  for (let i = 0; i < word.length; i++) {
    const shorter = word.slice(0, i) + word.slice(i + 1);
    if (!into.has(shorter)) {
      into.add(shorter);
      deletesUpTo(shorter, depth - 1, into);
    }
  }
}

/**
 * A dictionary of catalog words with typo-tolerant lookup: exact, singular/plural, joined words
 * ("waiwai" for "wai wai"), symmetric-delete edit distance (1 for 4-5 letters, 2 for 6+) and
 * Double Metaphone sound-alikes. Lookups are memoised (bounded) because messages repeat words.
 */
class TermDictionary {
  readonly terms: string[] = [];
  readonly ids = new Map<string, number>();
  private readonly deletes = new Map<string, number[]>();
  private readonly phonetic = new Map<string, number[]>();
  private readonly compounds = new Map<string, number[]>();
  private readonly memo = new Map<string, TermMatch[]>();

  constructor(private readonly forCodes: boolean) {}

  add(term: string): number {
    const known = this.ids.get(term);
    if (known !== undefined) return known;
    const id = this.terms.length;
    this.terms.push(term);
    this.ids.set(term, id);
    return id;
  }

  addCompound(joined: string, parts: number[]): void {
    if (!this.ids.has(joined) && !this.compounds.has(joined)) this.compounds.set(joined, parts);
  }

  finish(): void {
    for (let id = 0; id < this.terms.length; id++) {
      const term = this.terms[id] ?? "";
      if (term.length > 24) continue;
      const allowance = editAllowance(term.length, this.forCodes);
      if (allowance > 0) {
        const variants = new Set<string>();
        deletesUpTo(term, allowance, variants);
        for (const v of variants) push(this.deletes, v, id);
      }
      if (!this.forCodes && term.length >= 3 && /^[a-z]+$/.test(term)) {
        const [primary, secondary] = metaphone.process(term);
        if (primary) push(this.phonetic, primary, id);
        if (secondary && secondary !== primary) push(this.phonetic, secondary, id);
      }
    }
  }

  lookup(word: string): TermMatch[] {
    const cached = this.memo.get(word);
    if (cached) return cached;
    const found = this.search(word);
    if (this.memo.size >= 50_000) this.memo.clear();
    this.memo.set(word, found);
    return found;
  }

  private search(word: string): TermMatch[] {
    const exact = this.ids.get(word);
    if (word.length > 24) return exact === undefined ? [] : [{ term: exact, similarity: 1 }];
    const best = new Map<number, number>();
    const note = (term: number, similarity: number) => {
      if ((best.get(term) ?? 0) < similarity) best.set(term, similarity);
    };
    if (exact !== undefined) {
      // A word can be one product's spelling and another's typo ("chanaa"): keep close neighbours too.
      note(exact, 1);
      if (word.length >= 5) this.addNeighbours(word, 1, note);
      // "दाल" may be spelled so by one product and only as "dal" by another.
      if (!this.forCodes && DEVANAGARI.test(word)) this.noteRomanized(word, note);
      return toMatches(best);
    }
    if (!this.forCodes) {
      for (const form of inflections(word)) {
        const id = this.ids.get(form);
        if (id !== undefined) note(id, 0.97);
      }
      const parts = this.compounds.get(word);
      if (parts) for (const id of parts) note(id, 0.96);
      const ocr = ocrRepair(word);
      if (ocr !== word) {
        const id = this.ids.get(ocr);
        if (id !== undefined) note(id, 0.93);
      }
      if (best.size > 0) return toMatches(best);
    }
    if (!this.forCodes && DEVANAGARI.test(word)) {
      this.noteRomanized(word, note);
      return toMatches(best);
    }
    this.addNeighbours(word, editAllowance(word.length, this.forCodes), note);
    if (!this.forCodes && word.length >= 3 && /^[a-z]+$/.test(word)) {
      const [primary, secondary] = metaphone.process(word);
      for (const code of new Set([primary, secondary])) {
        if (!code || code.length < 1) continue;
        for (const id of this.phonetic.get(code) ?? []) {
          const term = this.terms[id] ?? "";
          if (term[0] !== word[0] || Math.abs(term.length - word.length) > 2) continue;
          if (boundedEditDistance(word, term, 2) > 2) continue;
          note(id, 0.85);
        }
      }
    }
    return toMatches(best);
  }

  // "चामल" against a catalog that only spells it "chamal".
  private noteRomanized(word: string, note: (term: number, similarity: number) => void): void {
    const roman = romanizeDevanagari(word);
    if (roman !== word && !DEVANAGARI.test(roman)) for (const m of this.lookup(roman)) note(m.term, m.similarity * 0.95);
  }

  private addNeighbours(word: string, allowance: number, note: (term: number, similarity: number) => void): void {
    if (allowance > 0) {
      const variants = new Set<string>([word]);
      deletesUpTo(word, allowance, variants);
      const seen = new Set<number>();
      for (const v of variants) {
        for (const id of this.deletes.get(v) ?? []) seen.add(id);
        const direct = this.ids.get(v);
        if (direct !== undefined) seen.add(direct);
      }
      for (const id of seen) {
        const term = this.terms[id] ?? "";
        const max = Math.min(allowance, editAllowance(term.length, this.forCodes));
        const distance = boundedEditDistance(word, term, max);
        if (distance > max) continue;
        if (distance === 2 && term[0] !== word[0]) continue;
        if (distance === 0) continue;
        note(id, distance === 1 ? 0.9 : 0.8);
      }
    }
  }
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function toMatches(best: Map<number, number>): TermMatch[] {
  return [...best].map(([term, similarity]) => ({ term, similarity })).sort((a, b) => b.similarity - a.similarity);
}

function inflections(word: string): string[] {
  const forms: string[] = [];
  if (word.length > 4 && word.endsWith("ies")) forms.push(`${word.slice(0, -3)}y`);
  if (word.length > 3 && word.endsWith("es")) forms.push(word.slice(0, -2));
  if (word.length > 3 && word.endsWith("s")) forms.push(word.slice(0, -1));
  if (word.length >= 3) forms.push(`${word}s`);
  return forms;
}

// Digits that stand in for letters in OCR'd or hastily typed words: "r1ce", "0il", "5ugar".
function ocrRepair(word: string): string {
  if (!/\d/.test(word) || !/\p{L}/u.test(word)) return word;
  return word.replace(/0/g, "o").replace(/1/g, "i").replace(/5/g, "s").replace(/3/g, "e").replace(/4/g, "a");
}

/** A catalog prepared for parsing: vocabulary, typo-tolerant lookups, sale forms. Build once, reuse. */
export interface CatalogIndex {
  readonly products: readonly CatalogProduct[];
  readonly forms: readonly SaleForm[];
  /** @internal */ readonly words: TermDictionary;
  /** @internal */ readonly codes: TermDictionary;
  /** @internal */ readonly codeProducts: ReadonlyMap<number, readonly number[]>;
  /** @internal */ readonly phrases: readonly Phrase[];
  /** @internal */ readonly postings: readonly (readonly number[])[];
  /** @internal */ readonly productPhrases: readonly (readonly number[])[];
  /** @internal The words of each product's name (no sizes, units or fillers). */
  readonly nameWords: readonly ReadonlySet<string>[];
  /** @internal Numbers that are part of a name, by the word after them ("kitkat 4 finger", "5 star"). */
  readonly nameNumbers: ReadonlyMap<string, ReadonlySet<number>>;
  /** @internal Word pairs a name joins with "and" or "&" ("hot and sweet", "thick and long"). */
  readonly joinedPairs: ReadonlySet<string>;
  /** @internal The shapes of the catalog's SKUs ("grc-soy-200" is "aaa-aaa-999"), to know a code that matches none. */
  readonly codeShapes: ReadonlySet<string>;
}

/** A code's shape: letters as "a", digits as "9", separators kept ("GRC-SOY-200" → "aaa-aaa-999"). */
export function codeShape(code: string): string {
  return normalizeText(code).replace(/\p{L}/gu, "a").replace(/\p{N}/gu, "9");
}

/** The words of a catalog name or alias that identify a product (no sizes, units, numbers or fillers). */
export function phraseWords(text: string): string[] {
  return classifyTokens(normalizeText(text))
    .filter((t) => t.kind === "word")
    .map((t) => (t.kind === "word" ? t.text : ""));
}

function saleFormOf(product: CatalogProduct): SaleForm {
  const sale = catalogUnitMeaning(product.unit);
  const nameSize = sizeInName(product.name) ?? sizeInName(product.sku.replace(/[-_]/g, " "));
  const normalizedName = normalizeText(product.name);
  let innerCount = innerCountInName(normalizedName);
  const containers = new Set<string>();
  if (sale.kind === "count") {
    containers.add(sale.unit);
    if (sale.unit === "dozen") innerCount = 12;
  }
  const multiPack = sale.kind === "count" && MULTI_PACKS.has(sale.unit);
  if (!multiPack) {
    // Package words in the name ("Oil 1L Pouch", "Rice 25kg Bora") name the same sale unit.
    const outsideParens = normalizedName.replace(/\([^)]*\)/g, " ");
    for (const word of outsideParens.split(/[^\p{L}]+/u)) {
      const meaning = unitMeaning(word);
      if (meaning?.kind === "count" && !MULTI_PACKS.has(meaning.unit)) containers.add(meaning.unit);
    }
  } else {
    innerCount ??= undefined;
  }
  let perUnit: Measure | undefined;
  if (sale.kind === "measure") perUnit = { dim: sale.dim, amount: sale.factor };
  else if (!multiPack && nameSize) perUnit = nameSize;
  return { sale, perUnit, nameSize, containers, innerCount };
}

const CODE_SHAPE = /^[\p{L}\p{N}]+(?:[-_./][\p{L}\p{N}]+)+$/u;

/**
 * Builds the search index for a catalog: every word of names, aliases and SKUs goes into a
 * typo-tolerant dictionary with postings to the phrases it appears in.
 * @example const index = buildCatalogIndex(rows); parseMessage("chini 10 kg", index)
 */
export function buildCatalogIndex(products: readonly CatalogProduct[]): CatalogIndex {
  const words = new TermDictionary(false);
  const codes = new TermDictionary(true);
  const codeProducts = new Map<number, number[]>();
  const phrases: Phrase[] = [];
  const postings: number[][] = [];
  const forms: SaleForm[] = [];
  const productPhrases: number[][] = [];
  const addCode = (code: string, productIndex: number) => {
    const id = codes.add(code);
    const list = codeProducts.get(id) ?? [];
    if (!list.includes(productIndex)) list.push(productIndex);
    codeProducts.set(id, list);
  };
  products.forEach((product, productIndex) => {
    forms.push(saleFormOf(product));
    productPhrases.push([]);
    addCode(normalizeText(product.sku), productIndex);
    const texts = [product.name, product.sku.replace(/[-_./]+/g, " "), ...product.aliases];
    // Devanagari aliases also match their romanized spelling ("तेल" answers "tel").
    for (const alias of product.aliases) {
      if (DEVANAGARI.test(alias)) texts.push(alias.split(/\s+/).map(romanizeDevanagari).join(" "));
    }
    for (const alias of product.aliases) {
      const normal = normalizeText(alias).trim();
      if (CODE_SHAPE.test(normal) && /\d/.test(normal)) addCode(normal, productIndex);
    }
    const seen = new Set<string>();
    for (const text of texts) {
      const tokens = phraseWords(text);
      const key = tokens.join(" ");
      if (tokens.length === 0 || tokens.length > 12 || seen.has(key)) continue;
      seen.add(key);
      const terms = tokens.map((t) => words.add(t));
      const phraseId = phrases.length;
      const termWeights = tokens.map(tokenWeight);
      phrases.push({ product: productIndex, terms, termWeights, weight: termWeights.reduce((sum, w) => sum + w, 0), family: terms.join(" ") });
      productPhrases[productIndex]?.push(phraseId);
      for (const term of new Set(terms)) {
        while (postings.length <= term) postings.push([]);
        postings[term]?.push(phraseId);
      }
      for (let i = 0; i + 1 < terms.length; i++) {
        words.addCompound(`${tokens[i]}${tokens[i + 1]}`, [terms[i] ?? 0, terms[i + 1] ?? 0]);
      }
    }
  });
  words.finish();
  codes.finish();
  while (postings.length < words.terms.length) postings.push([]);
  const nameWords = products.map((p) => new Set(phraseWords(p.name)));
  const joinedPairs = new Set<string>();
  for (const product of products) {
    for (const text of [product.name, ...product.aliases]) {
      for (const m of normalizeText(text).matchAll(/(\p{L}+)\s*(?:\band\b|&|\bn\b)\s*(\p{L}+)/gu)) joinedPairs.add(`${m[1]} ${m[2]}`);
    }
  }
  const nameNumbers = new Map<string, Set<number>>();
  for (const product of products) {
    const tokens = classifyTokens(normalizeText(product.name));
    tokens.forEach((token, i) => {
      const next = tokens[i + 1];
      if (token.kind === "num" && !token.word && next?.kind === "word") {
        const set = nameNumbers.get(next.text) ?? new Set<number>();
        set.add(token.value);
        nameNumbers.set(next.text, set);
      }
    });
  }
  // Only shapes with a digit and at least two separators: "coke-500ml" typed by a shop stays words.
  const codeShapes = new Set(products.map((p) => codeShape(p.sku)).filter((shape) => shape.includes("9") && (shape.match(/[-_./]/g)?.length ?? 0) >= 2));
  return { products, forms, words, codes, codeProducts, phrases, postings, productPhrases, nameWords, nameNumbers, joinedPairs, codeShapes };
}

/**
 * True when two products are variants of one (sizes, packs of "Dhara Mustard Oil"; "Sugar" and
 * "Sugar (loose)"): the words of one's name are all in the other's. Two brands that share an alias
 * ("tel") are not.
 */
export function areVariants(index: CatalogIndex, a: number, b: number): boolean {
  const x = index.nameWords[a];
  const y = index.nameWords[b];
  if (!x || !y) return false;
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  for (const word of small) if (!large.has(word)) return false;
  return true;
}

/** Weight of a word in a mention: longer words carry more of the meaning, capped so one word cannot dominate. */
export function tokenWeight(word: string): number {
  return Math.min(Math.max([...word].length, 2), 10);
}

/** How well a mention fits one product. */
export interface ProductFit {
  product: number;
  /** Share of the mention's words that the product's best phrase explains (0..1, typos count less). */
  mentionCoverage: number;
  /** True when the mention explains the whole phrase (e.g. alias "chamal", name "Basmati Rice"). */
  wholePhrase: boolean;
  score: number;
  /** The words of the best-fitting phrase: variants of one product (sizes, packs) share it. */
  family: string;
  /** The largest share of the words of one of its phrases that the mention explains (0..1). */
  phraseShare: number;
}

/** Products whose phrases explain the mention's words, best first. `words` are normalized mention words. */
export function fitProducts(index: CatalogIndex, mentionWords: readonly string[]): ProductFit[] {
  const wordsIn = joinSplitWords(index, mentionWords).slice(0, 12);
  if (wordsIn.length === 0) return [];
  const weights = wordsIn.map(tokenWeight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const matchesOf = wordsIn.map((word) => new Map(index.words.lookup(word).map((m) => [m.term, m.similarity] as const)));
  // For each catalog term a mention word matched, the similarity it gives each mention word.
  const n = wordsIn.length;
  const termSlots = new Map<number, number[]>();
  matchesOf.forEach((matches, i) => {
    for (const [term, similarity] of matches) {
      let row = termSlots.get(term);
      if (!row) termSlots.set(term, (row = new Array<number>(n).fill(0)));
      if ((row[i] ?? 0) < similarity) row[i] = similarity;
    }
  });
  // A catalog word spelled out by one mention word is not also another word's typo: "dairy milk
  // silk" does not read "silk" as "milk" a second time.
  for (const row of termSlots.values()) {
    if (row.includes(1)) for (let i = 0; i < n; i++) if ((row[i] ?? 0) < 1) row[i] = 0;
  }
  // Prefix filtering: a product must contain one of the rarest words whose weight exceeds 30% of the
  // mention, or its coverage stays under 0.7. Candidates come from those words' postings only, so a
  // common word ("masala", "oil") in a 10,000-SKU catalog does not drag in thousands of products.
  const rarity = wordsIn
    .map((_, i) => ({ i, size: [...(matchesOf[i]?.keys() ?? [])].reduce((sum, term) => sum + (index.postings[term]?.length ?? 0), 0) }))
    .sort((a, b) => a.size - b.size);
  const candidates = new Set<number>();
  let prefixWeight = 0;
  for (const { i } of rarity) {
    for (const term of matchesOf[i]?.keys() ?? []) for (const phraseId of index.postings[term] ?? []) candidates.add(index.phrases[phraseId]?.product ?? -1);
    prefixWeight += weights[i] ?? 0;
    if (prefixWeight > 0.3 * totalWeight + 1e-9) break;
  }
  // A product's words may be spread over its phrases ("soybean tel": name "Soybean Oil", alias
  // "bhatmas tel"), so coverage is the union over its phrases; the family is its best single phrase.
  interface ProductAcc {
    slots: number[];
    whole: boolean;
    bestPhraseScore: number;
    family: string;
    share: number;
  }
  const perProduct = new Map<number, ProductAcc>();
  for (const product of candidates) {
    for (const phraseId of index.productPhrases[product] ?? []) {
      const phrase = index.phrases[phraseId];
      if (!phrase) continue;
      // What this phrase explains of each mention word, and how much of the phrase the mention explains.
      let slots: number[] | undefined;
      let phraseCovered = 0;
      let wordsCovered = 0;
      const terms = phrase.terms;
      for (let k = 0; k < terms.length; k++) {
        const row = termSlots.get(terms[k] ?? -1);
        if (!row) continue;
        phraseCovered += phrase.termWeights[k] ?? 0;
        wordsCovered++;
        slots ??= new Array<number>(n).fill(0);
        for (let i = 0; i < n; i++) if ((row[i] ?? 0) > (slots[i] ?? 0)) slots[i] = row[i] ?? 0;
      }
      if (!slots) continue;
      let covered = 0;
      for (let i = 0; i < n; i++) covered += (slots[i] ?? 0) * (weights[i] ?? 0);
      const whole = phraseCovered >= phrase.weight - 1e-9;
      const phraseScore = (covered / totalWeight) * (whole ? 1 : 0.9);
      const share = phrase.terms.length > 0 ? wordsCovered / phrase.terms.length : 0;
      const acc = perProduct.get(phrase.product);
      if (!acc) {
        perProduct.set(phrase.product, { slots, whole, bestPhraseScore: phraseScore, family: phrase.family, share });
        continue;
      }
      for (let i = 0; i < n; i++) if ((acc.slots[i] ?? 0) < (slots[i] ?? 0)) acc.slots[i] = slots[i] ?? 0;
      if (share > acc.share) acc.share = share;
      if (phraseScore > acc.bestPhraseScore + 1e-9 || (Math.abs(phraseScore - acc.bestPhraseScore) <= 1e-9 && phrase.family < acc.family)) {
        acc.bestPhraseScore = phraseScore;
        acc.family = phrase.family;
        acc.whole = whole;
      }
    }
  }
  const best = new Map<number, ProductFit>();
  for (const [product, acc] of perProduct) {
    let covered = 0;
    acc.slots.forEach((s, i) => (covered += s * (weights[i] ?? 0)));
    const mentionCoverage = covered / totalWeight;
    best.set(product, { product, mentionCoverage, wholePhrase: acc.whole, score: mentionCoverage * (acc.whole ? 1 : 0.9), family: acc.family, phraseShare: acc.share });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.product - b.product);
}

// "wai wai" typed as "waiwai" is handled by compounds in the dictionary; this is the reverse:
// a catalog word typed as two ("good day" for "goodday", "surf excel" for "surfexcel"), also as
// voice typing splits it ("born vita" for "bournvita"): two words the catalog does not know whose
// join it knows, if only as a typo.
function joinSplitWords(index: CatalogIndex, mentionWords: readonly string[]): string[] {
  const out: string[] = [];
  const unknown = (word: string) => !index.words.ids.has(word) && index.words.lookup(word).length === 0;
  for (let i = 0; i < mentionWords.length; i++) {
    const word = mentionWords[i] ?? "";
    const next = mentionWords[i + 1];
    const joins =
      next !== undefined &&
      !index.words.ids.has(word) &&
      (index.words.ids.has(word + next) || (/^[a-z]+$/.test(word + next) && unknown(word) && unknown(next) && index.words.lookup(word + next).length > 0));
    if (joins) {
      out.push(word + next);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}

/** True when a Latin `word` sounds (Double Metaphone) like a word of one of the product's names or aliases. */
export function soundsLikeProductWord(index: CatalogIndex, word: string, product: number): boolean {
  if (!/^[a-z]+$/.test(word)) return false;
  const codes = new Set(metaphone.process(word).filter((c: string) => c.length > 0));
  for (const phraseId of index.productPhrases[product] ?? []) {
    for (const term of index.phrases[phraseId]?.terms ?? []) {
      const text = index.words.terms[term] ?? "";
      if (/^[a-z]+$/.test(text) && metaphone.process(text).some((c: string) => codes.has(c))) return true;
    }
  }
  return false;
}

/** Products whose SKU (or an alias shaped like a SKU) is this code, exactly or with one typo that keeps its digits. */
export function lookupCode(
  index: CatalogIndex,
  code: string,
  options: { sameDigits?: boolean } = {},
): { products: readonly number[]; similarity: number } | undefined {
  // The digits of a code are its size: "SXL-EZW-2K" is not a typo of "SXL-EZW-1K".
  const digits = (text: string) => text.replace(/\D+/g, " ").trim();
  const matches = index.codes
    .lookup(code)
    .filter((m) => options.sameDigits === false || m.similarity === 1 || digits(index.codes.terms[m.term] ?? "") === digits(code));
  const top = matches[0];
  if (!top) return undefined;
  const tied = matches.filter((m) => m.similarity === top.similarity);
  const products = [...new Set(tied.flatMap((m) => index.codeProducts.get(m.term) ?? []))];
  return { products, similarity: top.similarity };
}

/**
 * Ranks catalog products for a free-text query (for "PRICE chini" or "which one did you mean?").
 * @example searchCatalog(index, "colget", 3) // [{ sku: "PASTE-COLGATE-150G", score: 0.8 }]
 */
export function searchCatalog(index: CatalogIndex, query: string, limit: number): { sku: string; score: number }[] {
  const max = Math.max(0, Math.min(Math.floor(limit), 100));
  if (max === 0 || query.length > 4096) return [];
  const normal = normalizeText(query).trim();
  const out: { sku: string; score: number }[] = [];
  const seen = new Set<number>();
  if (CODE_SHAPE.test(normal)) {
    const code = lookupCode(index, normal);
    for (const p of code?.products ?? []) {
      const product = index.products[p];
      if (product && !seen.has(p)) {
        seen.add(p);
        out.push({ sku: product.sku, score: code?.similarity ?? 0 });
      }
    }
  }
  for (const fit of fitProducts(index, phraseWords(query))) {
    if (out.length >= max) break;
    const product = index.products[fit.product];
    if (!product || seen.has(fit.product)) continue;
    seen.add(fit.product);
    out.push({ sku: product.sku, score: Math.round(fit.score * 1000) / 1000 });
  }
  return out.slice(0, max);
}
