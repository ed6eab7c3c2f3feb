/** Devanagari digits ० to ९, mapped to ASCII so `१०` reads as `10`. */
const DEVANAGARI_ZERO = 0x0966;

/** Replaces Devanagari digits with ASCII digits, leaving everything else as it is. */
export function toAsciiDigits(text: string): string {
  return text.replace(/[\u0966-\u096F]/g, (d) => String(d.charCodeAt(0) - DEVANAGARI_ZERO));
}

// Romanized Nepali, English and Devanagari number words retailers type instead of digits.
// "tin" (3) and "chha" (6) are also a unit and a verb; the tokenizer decides those by context.
const NUMBER_WORDS: ReadonlyMap<string, number> = new Map<string, number>([
  ["ek", 1], ["euta", 1], ["eauta", 1], ["dui", 2], ["duita", 2], ["tin", 3], ["teen", 3], ["char", 4], ["chaar", 4],
  ["panch", 5], ["paanch", 5], ["pach", 5], ["chha", 6], ["chhah", 6], ["saat", 7], ["sat", 7], ["aath", 8], ["ath", 8],
  ["nau", 9], ["das", 10], ["dus", 10], ["dash", 10], ["egara", 11], ["eghara", 11], ["bahra", 12], ["barha", 12],
  ["tera", 13], ["chaudha", 14], ["pandhra", 15], ["sohra", 16], ["satra", 17], ["athara", 18], ["unnais", 19],
  ["bis", 20], ["bees", 20], ["pachis", 25], ["pachchis", 25], ["tis", 30], ["tees", 30], ["chalis", 40],
  ["pachas", 50], ["pachaas", 50], ["saya", 100], ["say", 100], ["sae", 100], ["sau", 100],
  ["ekkais", 21], ["ekais", 21], ["bais", 22], ["teis", 23], ["chaubis", 24], ["chaubees", 24], ["chhabbis", 26], ["chabbis", 26],
  ["sattais", 27], ["athais", 28], ["atthais", 28], ["unantis", 29], ["pantis", 35], ["paitis", 35], ["chaalis", 40],
  ["pachpanna", 55], ["saathi", 60], ["sattari", 70], ["assi", 80], ["nabbe", 90],
  ["one", 1], ["two", 2], ["three", 3], ["four", 4], ["five", 5], ["six", 6], ["seven", 7], ["eight", 8], ["nine", 9],
  ["ten", 10], ["eleven", 11], ["twelve", 12], ["thirteen", 13], ["fourteen", 14], ["fifteen", 15], ["sixteen", 16],
  ["seventeen", 17], ["eighteen", 18], ["nineteen", 19], ["twenty", 20], ["thirty", 30], ["forty", 40], ["fifty", 50],
  ["sixty", 60], ["seventy", 70], ["eighty", 80], ["ninety", 90], ["hundred", 100],
  // "half dozen" is 6, "a couple of" 2; half of a unit the SKU cannot split stays unresolved.
  ["half", 0.5], ["couple", 2], ["pair", 2], ["adha", 0.5], ["aadha", 0.5], ["आधा", 0.5],
  ["एक", 1], ["दुई", 2], ["तीन", 3], ["तिन", 3], ["चार", 4], ["पाँच", 5], ["पांच", 5], ["पाच", 5], ["छ", 6], ["सात", 7],
  ["आठ", 8], ["नौ", 9], ["दस", 10], ["दश", 10], ["बाह्र", 12], ["पन्ध्र", 15], ["बीस", 20], ["बिस", 20],
  ["पच्चीस", 25], ["पच्चिस", 25], ["तीस", 30], ["चालीस", 40], ["पचास", 50], ["सय", 100],
  ["एक्काइस", 21], ["बाइस", 22], ["तेइस", 23], ["चौबीस", 24], ["चौबिस", 24], ["पैंतीस", 35], ["साठी", 60], ["सत्तरी", 70], ["असी", 80], ["नब्बे", 90],
]);

/** Words that multiply the number before them ("dui saya" = 200, "two hundred" = 200). */
const MULTIPLIERS: ReadonlySet<string> = new Set(["saya", "say", "sae", "sau", "hundred", "सय"]);

/** The value of a number word, or undefined. @example numberWordValue("das") // 10 */
export function numberWordValue(word: string): number | undefined {
  return NUMBER_WORDS.get(word);
}

/** True for words that multiply the preceding number (hundred, saya). */
export function isMultiplierWord(word: string): boolean {
  return MULTIPLIERS.has(word);
}

const CONSONANTS: Record<string, string> = {
  क: "k", ख: "kh", ग: "g", घ: "gh", ङ: "ng", च: "ch", छ: "chh", ज: "j", झ: "jh", ञ: "n", ट: "t", ठ: "th", ड: "d", ढ: "dh",
  ण: "n", त: "t", थ: "th", द: "d", ध: "dh", न: "n", प: "p", फ: "ph", ब: "b", भ: "bh", म: "m", य: "y", र: "r", ल: "l", व: "w",
  श: "sh", ष: "sh", स: "s", ह: "h",
};
const VOWEL_SIGNS: Record<string, string> = { "ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o", "ौ": "au" };
const VOWELS: Record<string, string> = { अ: "a", आ: "a", इ: "i", ई: "i", उ: "u", ऊ: "u", ऋ: "ri", ए: "e", ऐ: "ai", ओ: "o", औ: "au" };
const NASALS: Record<string, string> = { "ं": "n", "ँ": "n", "ः": "h" };
const VIRAMA = "्";

/**
 * Romanizes a Devanagari word the way Nepali retailers type it ("चामल" → "chamal", "तेल" → "tel"),
 * dropping the inherent vowel at the end of the word; other characters pass through.
 */
export function romanizeDevanagari(word: string): string {
  const chars = [...word.replace(/\u093C/g, "")];
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? "";
    const consonant = CONSONANTS[c];
    if (consonant !== undefined) {
      out += consonant;
      const next = chars[i + 1];
      if (next === undefined || next === VIRAMA) continue;
      const sign = VOWEL_SIGNS[next];
      if (sign !== undefined) {
        out += sign;
        i++;
      } else if (i + 1 < chars.length) {
        out += "a";
      }
      continue;
    }
    if (c === VIRAMA) continue;
    out += VOWELS[c] ?? NASALS[c] ?? VOWEL_SIGNS[c] ?? c;
  }
  return out;
}
