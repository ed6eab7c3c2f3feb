/** A physical amount: grams for mass, millilitres for volume. */
export interface Measure {
  dim: "mass" | "volume";
  amount: number;
}

/** What a unit word means: a measure (kg, ml) or a countable package kind (bag, packet, piece). */
export type UnitMeaning = { kind: "measure"; dim: "mass" | "volume"; factor: number } | { kind: "count"; unit: string };

const MEASURE_WORDS: ReadonlyArray<[readonly string[], "mass" | "volume", number]> = [
  [["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "keji", "kejee", "kilo.", "केजी", "के.जी.", "के.जी", "किलो", "किलोग्राम", "केजि"], "mass", 1000],
  [["g", "gm", "gms", "gram", "grams", "gramme", "gr", "grm", "ग्राम"], "mass", 1],
  [["l", "ltr", "ltrs", "litre", "litres", "liter", "liters", "lt", "lit", "lites", "लिटर", "लि", "लिटर्स"], "volume", 1000],
  [["ml", "mls", "millilitre", "milliliter", "एमएल", "मिलि", "मि.लि."], "volume", 1],
];

// Canonical package kinds and the words retailers use for them (English, romanized Nepali, Devanagari).
const COUNT_WORDS: ReadonlyArray<[string, readonly string[]]> = [
  ["bag", ["bag", "bags", "bora", "boras", "bori", "bora.", "sack", "sacks", "boro", "बोरा", "बोरी"]],
  ["packet", ["packet", "packets", "pkt", "pkts", "pack", "packs", "pak", "poka", "pokaa", "paket", "pocket", "प्याकेट", "पोका", "प्याकेट्स"]],
  ["carton", ["carton", "cartons", "ctn", "ctns", "peti", "box", "boxes", "cartoon", "कार्टुन", "पेटी", "बाकस", "कार्टन"]],
  ["dozen", ["dozen", "dozens", "doz", "dz", "darjan", "dajan", "darjen", "दर्जन"]],
  ["piece", ["piece", "pieces", "pc", "pcs", "wota", "ota", "vota", "wata", "gota", "nos", "pis", "cans", "go", "वटा", "ओटा", "गोटा", "थान", "than"]],
  ["tray", ["tray", "trays", "tre", "ट्रे"]],
  // A "case" of drinks is a crate of bottles or cans.
  ["crate", ["crate", "crates", "kret", "क्रेट", "case", "cases", "cs", "kes", "केस"]],
  ["bottle", ["bottle", "bottles", "btl", "btls", "bottal", "botal", "बोतल"]],
  ["jar", ["jar", "jars", "जार"]],
  ["tin", ["tin", "tins", "टिन"]],
  ["pouch", ["pouch", "pouches", "poch", "पाउच"]],
  ["bar", ["bar", "bars"]],
  ["roll", ["roll", "rolls"]],
  ["bundle", ["bundle", "bundles", "bdl", "bandal", "mutha", "मुठा", "बन्डल"]],
];

const UNIT_TABLE = new Map<string, UnitMeaning>();
for (const [words, dim, factor] of MEASURE_WORDS) for (const w of words) UNIT_TABLE.set(w, { kind: "measure", dim, factor });
for (const [unit, words] of COUNT_WORDS) for (const w of words) UNIT_TABLE.set(w, { kind: "count", unit });

/** What a unit word means, or undefined. @example unitMeaning("bora") // { kind: "count", unit: "bag" } */
export function unitMeaning(word: string): UnitMeaning | undefined {
  return UNIT_TABLE.get(word);
}

// Words that mark a "per unit" kind in a catalog's unit column but are not package kinds.
const CATALOG_UNIT_ALIASES = new Map<string, string>([
  ["litre", "l"], ["liter", "l"], ["ltr", "l"], ["l", "l"], ["lt", "l"], ["kg", "kg"], ["kgs", "kg"], ["kilo", "kg"],
  ["g", "g"], ["gm", "g"], ["gram", "g"], ["ml", "ml"], ["each", "piece"], ["unit", "piece"], ["pc", "piece"], ["pcs", "piece"], ["nos", "piece"],
]);

/** A catalog unit column read as a measure (kg, litre: sold by weight/volume) or a package kind. */
export function catalogUnitMeaning(unit: string): UnitMeaning {
  const u = unit.trim().toLowerCase();
  const alias = CATALOG_UNIT_ALIASES.get(u);
  if (alias === "kg") return { kind: "measure", dim: "mass", factor: 1000 };
  if (alias === "g") return { kind: "measure", dim: "mass", factor: 1 };
  if (alias === "l") return { kind: "measure", dim: "volume", factor: 1000 };
  if (alias === "ml") return { kind: "measure", dim: "volume", factor: 1 };
  if (alias === "piece") return { kind: "count", unit: "piece" };
  return unitMeaning(u) ?? { kind: "count", unit: u };
}

/** Standard unit names used in explanations and in `parseQuantityUnit`. */
export function standardUnitName(meaning: UnitMeaning): string {
  if (meaning.kind === "count") return meaning.unit;
  return meaning.dim === "mass" ? "kg" : "litre";
}

/** A quantity with a unit word, read from text such as "5 kgs" or "500 ml". */
export interface QuantityWithUnit {
  quantity: number;
  unit: string;
  standardUnit: string;
  /** The quantity in the standard unit: kg for mass, litre for volume, pieces for dozens. */
  normalizedQuantity: number;
}

/**
 * Reads "<number> <unit>" (e.g. "5 kgs", "500 grams", "2 dozen") into a quantity in a standard unit,
 * or undefined when the text is not exactly that.
 * @example parseQuantityUnit("500 ml") // { quantity: 500, unit: "ml", standardUnit: "litre", normalizedQuantity: 0.5 }
 */
export function parseQuantityUnit(text: string): QuantityWithUnit | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([^\d\s]+)\s*$/u.exec(text.toLowerCase());
  if (!match) return undefined;
  const quantity = Number(match[1]);
  const unit = match[2] ?? "";
  const meaning = unitMeaning(unit);
  if (!meaning || !Number.isFinite(quantity)) return undefined;
  if (meaning.kind === "measure") {
    return { quantity, unit, standardUnit: standardUnitName(meaning), normalizedQuantity: (quantity * meaning.factor) / 1000 };
  }
  if (meaning.unit === "dozen") return { quantity, unit, standardUnit: "piece", normalizedQuantity: quantity * 12 };
  return { quantity, unit, standardUnit: meaning.unit, normalizedQuantity: quantity };
}

const SIZE_PATTERN = /(\d+(?:\.\d+)?)\s*(kg|kgs|kilo|g|gm|gms|gram|grams|gr|ml|l|ltr|litre|liter|lt)(?![\p{L}\p{N}])/giu;

/** The first size written in a product name ("Coca-Cola 500ml", "Rice (25kg)"), as a measure. */
export function sizeInName(name: string): Measure | undefined {
  SIZE_PATTERN.lastIndex = 0;
  const m = SIZE_PATTERN.exec(name);
  if (!m) return undefined;
  const meaning = unitMeaning((m[2] ?? "").toLowerCase());
  if (!meaning || meaning.kind !== "measure") return undefined;
  const amount = Number(m[1]) * meaning.factor;
  return amount > 0 ? { dim: meaning.dim, amount } : undefined;
}

const INNER_COUNT_PATTERNS: readonly RegExp[] = [
  /\(\s*(\d+)\s*(?:x\s*)?([\p{L}]+)?[^)]*\)/u,
  /\b(?:pack|tray|crate|carton|case|box|peti|bundle)\s+of\s+(\d+)/iu,
  /(\d+)\s*(packets|packet|pkts|pkt|pack|pcs|pieces|bottles|bottle|eggs|cans|sachets|bars|boxes|tins|nos)\b/iu,
  /\bx\s*(\d+)\b/iu,
];

/** How many inner items a multi-pack name states ("Carton (30 packets)", "Pack of 12", "tray of 30"), if any. */
export function innerCountInName(name: string): number | undefined {
  for (const pattern of INNER_COUNT_PATTERNS) {
    const m = pattern.exec(name);
    if (!m) continue;
    const after = (m[2] ?? "").toLowerCase();
    // "(25kg)" or "(500 g)" is a size, not a count of inner items.
    if (after && unitMeaning(after)?.kind === "measure") continue;
    const n = Number(m[1]);
    if (Number.isInteger(n) && n > 1 && n <= 1000) return n;
  }
  return undefined;
}
