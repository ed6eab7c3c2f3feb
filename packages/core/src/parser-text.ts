import { toAsciiDigits } from "./nepali-numbers.js";

// Emoji and pictographs carry no product information; joiners and variation selectors come with them.
const EMOJI = /[\p{Extended_Pictographic}\u{FE0F}\u{FE0E}\u{200D}\u{20E3}\u{1F3FB}-\u{1F3FF}]/gu;

/** NFKC, lower case, ASCII digits, no emoji: the one normal form used for messages and the catalog. */
export function normalizeText(text: string): string {
  return toAsciiDigits(text.normalize("NFKC").replace(EMOJI, " ").toLowerCase());
}

/** Raw word-like tokens: letters/digits, keeping inner `-`, `_`, `.`, `/`, `'` (codes, decimals). */
export function rawTokens(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}]+(?:[-_./'][\p{L}\p{M}\p{N}]+)*/gu) ?? [];
}

// Words that never name a product: greetings, politeness, verbs of ordering, delivery notes, fillers
// (English, romanized Nepali, Devanagari). They are dropped from product mentions.
const STOPWORDS_LIST = [
  "i", "we", "me", "my", "our", "us", "you", "u", "your", "need", "needs", "needed", "want", "wants", "please", "pls", "plz", "plzz", "send",
  // Chat and slang around an order: "bro pls send 2x wai wai asap thnx", "fair n lovely".
  "bro", "broo", "brooo", "bruh", "yo", "ayo", "heyy", "heyyy", "gimme", "thnx", "thx", "tnx", "thanx", "lol", "mom", "mum", "dad",
  "said", "says", "guys", "rn", "r", "n", "nd", "rite", "party", "ur", "pls.", "sis", "bhaisaab",
  "sorry", "haina", "hoina", "matra", "hamra", "hamar", "chahi", "chaahi",
  "sending", "give", "get", "order", "orders", "ordering", "the", "a", "an", "of", "for", "to", "some", "also", "more", "add", "and",
  "or", "with", "in", "on", "at", "by", "from", "is", "are", "am", "be", "it", "its", "this", "that", "these", "those", "all",
  "each", "per", "only", "just", "item", "items", "qty", "quantity", "ea", "hi", "hello", "hey", "hii", "namaste", "namaskar",
  "thanks", "thank", "thankyou", "ty", "dhanyabad", "dhanyavad", "dhanybad", "ok", "okay", "kindly", "required", "require",
  "bhai", "dai", "daju", "didi", "sir", "hajur", "sahuji", "saahuji", "ji", "chahiyo", "chaiyo", "chahiye", "chaincha", "chahincha",
  "chainxa", "chaiyeko", "chahiyeko", "pathaunu", "pathau", "pathaunus", "pathaidinu", "pathaidinus", "pathaideu", "pathaidinuhola",
  "pathaunuhola", "dinu", "dinus", "dinuhos", "dinuhola", "deu", "dinos", "hai", "la", "ni", "ta", "ko", "ka", "ki", "ke", "ma",
  "lai", "aja", "aaja", "bholi", "parsi", "bihana", "beluka", "today", "tomorrow", "morning", "evening", "tonight", "delivery",
  "deliver", "asap", "urgent", "urgently", "jaldi", "chito", "ra", "tatha", "ani", "wala", "wali", "vala", "wale", "bhaiya", "bhaiyya", "bhaiji", "bhej", "bhejo", "bhejna", "bhejiye", "dena", "dijiye", "aur", "ko", "brand", "quality",
  "fresh", "new", "cooking", "best", "stock", "cha", "chha", "xa", "ho", "garnu", "gardinu", "gardinus", "garidinu", "gara",
  "garera", "baje", "pm", "din", "bhitra", "samma", "ghanta", "hour", "hours", "time", "soon", "shop", "pasal", "mero", "hamro",
  "malai", "hamilai", "lagi", "before", "after", "until", "till", "by", "can", "could", "would", "will", "shall", "have", "has", "had", "do", "does", "did", "nos", "no", "yes",
  "like", "same", "last", "week", "month", "again", "dear", "regards", "ordered", "kg.", "rs", "npr", "rupees", "rupiya", "rupaiya",
  "नमस्ते", "नमस्कार", "कृपया", "पठाउनु", "पठाइदिनु", "पठाउनुहोला", "चाहियो", "दिनु", "दिनुहोला", "होला", "र", "को", "का", "की", "मा",
  "लाई", "भोलि", "आज", "दाइ", "हजुर", "धन्यवाद", "पनि", "छ", "हो", "अनि", "तथा", "अर्डर", "मलाई", "वाला", "वाली", "वाल", "पठाउनुस्", "पठाउनुहोस्", "गर्नुहोस्", "दिनुस्", "और",
];

/** Words dropped from product mentions and catalog phrases alike. */
export const STOPWORDS: ReadonlySet<string> = new Set(STOPWORDS_LIST);
