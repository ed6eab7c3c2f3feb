// npm run eval:parse — prints the parser's figures on our labelled corpora (test/fixtures/parse-corpus.jsonl
// against examples/catalog.csv, and test/fixtures/heldout*/, each written apart against its own catalog) and runs the `parse`,
// `intent`, `unit` and `match` cases of the original product (../shared/data/khaacho-original,
// read at run time, never copied) against the catalogs beside them.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildCatalogIndex,
  parseCatalogCsv,
  parseMessage,
  parseQuantityUnit,
  scoreParses,
  searchCatalog,
  type CatalogIndex,
  type CatalogProduct,
  type LabelledMessage,
  type ParsedMessage,
} from "@khaacho/core";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const originalDir = resolve(root, "../shared/data/khaacho-original");

function loadCatalog(path: string): { index: CatalogIndex; products: CatalogProduct[] } {
  const result = parseCatalogCsv(readFileSync(path, "utf8"));
  if (!result.ok) throw new Error(`${path}: ${result.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
  return { index: buildCatalogIndex(result.rows), products: result.rows };
}

// --- our corpus
const example = loadCatalog(join(root, "examples/catalog.csv"));
const corpus = readFileSync(join(root, "test/fixtures/parse-corpus.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as LabelledMessage);
const score = scoreParses(corpus, (text) => parseMessage(text, example.index));
console.log(`corpus test/fixtures/parse-corpus.jsonl (${score.messages} messages, examples/catalog.csv, ${example.products.length} SKUs)`);
console.log(`  exact-match ${score.exactMatchRate.toFixed(4)} (${score.exactMatches}/${score.messages})`);
console.log(`  item precision ${score.itemPrecision.toFixed(4)}  recall ${score.itemRecall.toFixed(4)}  F1 ${score.itemF1.toFixed(4)}`);
console.log(`  intent accuracy ${score.intentAccuracy.toFixed(4)}  false matches (wrong SKU emitted) ${score.falseMatches}`);
for (const miss of score.misses) console.log(`  MISS ${miss.id} ${JSON.stringify(miss.text)} expected ${JSON.stringify(miss.expected)} got ${JSON.stringify(miss.got)}`);

// --- eight more corpora, each written apart against its own catalog (other brands, SKU styles, phrasing)
let otherFalseMatches = 0;
for (const dir of ["heldout", "heldout-terai", "heldout-pokhara", "heldout-hills", "heldout-mart", "heldout-east", "heldout-traps", "heldout-town"]) {
  const other = loadCatalog(join(root, `test/fixtures/${dir}/catalog.csv`));
  const otherCorpus = readFileSync(join(root, `test/fixtures/${dir}/corpus.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledMessage);
  const s = scoreParses(otherCorpus, (text) => parseMessage(text, other.index));
  otherFalseMatches += s.falseMatches;
  console.log(`\ncorpus test/fixtures/${dir}/corpus.jsonl (${s.messages} messages, test/fixtures/${dir}/catalog.csv, ${other.products.length} SKUs)`);
  console.log(`  exact-match ${s.exactMatchRate.toFixed(4)} (${s.exactMatches}/${s.messages})`);
  console.log(`  item precision ${s.itemPrecision.toFixed(4)}  recall ${s.itemRecall.toFixed(4)}  F1 ${s.itemF1.toFixed(4)}`);
  console.log(`  intent accuracy ${s.intentAccuracy.toFixed(4)}  false matches (wrong SKU emitted) ${s.falseMatches}`);
  for (const miss of s.misses) console.log(`  MISS ${miss.id} ${JSON.stringify(miss.text)} expected ${JSON.stringify(miss.expected)} got ${JSON.stringify(miss.got)}`);
}

// --- the original product's cases
if (!existsSync(join(originalDir, "cases.jsonl"))) {
  console.log(`\n${originalDir} is not present: original cases skipped`);
  process.exit(score.misses.length === 0 ? 0 : 1);
}

interface Case {
  id: string;
  kind: string;
  input: string;
  expected: Record<string, unknown>;
  context?: { catalog?: string } | null;
}
const cases = readFileSync(join(originalDir, "cases.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Case)
  .filter((c) => ["parse", "intent", "unit", "match"].includes(c.kind));
const seed = loadCatalog(join(originalDir, "catalog.csv"));
const docs = loadCatalog(join(originalDir, "catalog-docs.csv"));
// Canonical product words from the original's alias table: chamal → rice, tel → oil, ...
const canonical = new Map<string, string>();
for (const line of readFileSync(join(originalDir, "aliases.csv"), "utf8").split("\n").slice(1)) {
  const [alias, target] = line.split(",");
  if (alias && target) canonical.set(alias.trim().toLowerCase(), target.trim().toLowerCase());
}
// As SOURCE.md says: the seed catalog unless a case names catalog-docs.
const catalogFor = (c: Case) => (c.context?.catalog?.includes("catalog-docs") ? docs : seed);

const INTENTS: Record<string, string> = { place_order: "order", order_status: "status", help: "help", greeting: "other", unknown: "other" };

function singular(word: string): string {
  return word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word;
}

/** SKUs of the catalog that carry the product a case names ("rice", "cooking oil", "Coca-Cola"), judged without the parser. */
function skusCarrying(catalog: { products: CatalogProduct[] }, product: string): string[] {
  const lower = product.toLowerCase().trim();
  const words = [lower, canonical.get(lower) ?? lower, ...lower.split(/\s+/).map((w) => canonical.get(w) ?? w)]
    .flatMap((w) => [w, singular(w)])
    .filter((w) => w.length > 2 && !/^\d/.test(w) && w !== "cooking");
  return catalog.products
    .filter((p) => {
      const texts = [p.name, ...p.aliases].map((t) => t.toLowerCase());
      return words.some((w) => texts.some((t) => new RegExp(`(^|[^a-z])${w}([^a-z]|$)`).test(t)));
    })
    .map((p) => p.sku);
}

function judgeParse(c: Case, parsed: ParsedMessage): string | undefined {
  const catalog = catalogFor(c);
  const expectedItems = (c.expected.items ?? []) as { sku?: string; product?: string; quantity: number }[];
  if (parsed.intent !== "order") return `intent ${parsed.intent}`;
  const resolved = [...parsed.items];
  const unresolved = [...parsed.unresolved];
  for (const want of expectedItems) {
    const skus = want.sku
      ? catalog.products.filter((p) => p.sku === want.sku || p.aliases.includes(want.sku ?? "")).map((p) => p.sku)
      : skusCarrying(catalog, want.product ?? "");
    const at = resolved.findIndex((r) => skus.includes(r.sku) && r.quantity === want.quantity);
    if (at >= 0) {
      resolved.splice(at, 1);
      continue;
    }
    // A product the catalog does not carry must stay unresolved as unknown, with the quantity read;
    // a unit the SKU cannot be sold in ("10 bags" of a per-kg rice) must stay unresolved as a mismatch.
    const u = unresolved.findIndex(
      (x) =>
        x.quantity === want.quantity &&
        (skus.length === 0 ? x.reason === "unknown_product" : x.reason === "unit_mismatch" && x.candidates.some((s) => skus.includes(s))),
    );
    if (u >= 0) {
      unresolved.splice(u, 1);
      continue;
    }
    return `missing ${JSON.stringify(want)} (catalog carries: ${skus.join(",") || "none"})`;
  }
  if (resolved.length > 0) return `extra lines ${JSON.stringify(resolved.map((r) => [r.sku, r.quantity]))}`;
  if (unresolved.length > 0) return `extra unresolved ${JSON.stringify(unresolved)}`;
  return undefined;
}

function judge(c: Case): string | undefined {
  if (c.kind === "unit") {
    const got = parseQuantityUnit(c.input);
    const want = c.expected as { quantity: number; standard_unit: string; normalized_quantity: number };
    if (!got) return "not read";
    if (got.quantity !== want.quantity || got.standardUnit !== want.standard_unit || Math.abs(got.normalizedQuantity - want.normalized_quantity) > 1e-9) {
      return `got ${JSON.stringify(got)}`;
    }
    return undefined;
  }
  if (c.kind === "match") {
    const { index } = catalogFor(c);
    const top = searchCatalog(index, c.input, 1)[0];
    const found = top !== undefined && top.score >= 0.7;
    const want = c.expected as { found: boolean; sku?: string };
    if (found !== want.found) return `found=${found} ${JSON.stringify(top)}`;
    if (want.found && top?.sku !== want.sku) return `matched ${top?.sku}`;
    return undefined;
  }
  const parsed = parseMessage(c.input, catalogFor(c).index);
  if (c.kind === "intent") {
    const want = INTENTS[String(c.expected.intent)] ?? String(c.expected.intent);
    return parsed.intent === want ? undefined : `intent ${parsed.intent}, expected ${want}`;
  }
  return judgeParse(c, parsed);
}

console.log(`\noriginal cases (${originalDir}): seed catalog ${seed.products.length} SKUs, docs catalog ${docs.products.length} SKUs`);
let failures = 0;
for (const kind of ["parse", "intent", "unit", "match"]) {
  const ofKind = cases.filter((c) => c.kind === kind);
  const failed = ofKind.map((c) => ({ c, why: judge(c) })).filter((r) => r.why !== undefined);
  failures += failed.length;
  console.log(`  ${kind}: ${ofKind.length - failed.length}/${ofKind.length} pass`);
  for (const { c, why } of failed) console.log(`    FAIL ${c.id} ${JSON.stringify(c.input)}: ${why}`);
}
console.log(`  total: ${cases.length - failures}/${cases.length} pass`);
process.exit(failures === 0 && score.misses.length === 0 && otherFalseMatches === 0 ? 0 : 1);
