import type { CreditFigures } from "./credit.js";
import type { ChatLanguage, ChatPendingLine } from "./chat-machine.js";
import { asksQuantity } from "./chat-machine.js";
import { formatRupees } from "./money.js";
import type { OrderRefusal } from "./order-refusal.js";
import { describeRefusal } from "./order-refusal.js";
import { orderTotals } from "./order-pricing.js";

/** Twilio's limit for one WhatsApp message body. */
export const WHATSAPP_REPLY_LIMIT = 1600;

/** A product as a reply shows it. */
export interface ReplyProduct {
  sku: string;
  name: string;
  unit: string;
  pricePaisa: number;
}

/** A draft line priced from the current catalog, for the order summary. */
export interface SummaryLine {
  sku: string;
  name: string;
  quantity: number;
  unitPricePaisa: number;
}

/** What the status reply shows of an order. */
export interface StatusOrder {
  number: string;
  status: string;
  vendorName: string;
  items: number;
  totalPaisa: number;
  paidPaisa: number;
  duePaisa: number;
  expectedDeliveryDate: string | null;
}

/** One row of the ORDERS reply. */
export interface OrderListRow {
  number: string;
  status: string;
  totalPaisa: number;
  businessDate: string;
}

const whole = (paisa: number) => formatRupees(paisa, { decimals: "auto" });
const exact = (paisa: number) => formatRupees(paisa);
const pick = (language: ChatLanguage, en: string, ne: string) => (language === "ne" ? ne : en);

function percent(basisPoints: number): string {
  return String(basisPoints / 100);
}

/**
 * The order summary in the product guide's format (numbered lines, subtotal, tax, total, counts,
 * how to reply).
 * @example orderSummaryReply("en", [{ sku: "RICE-1KG", name: "Basmati Rice 1KG", quantity: 10, unitPricePaisa: 15000 }], 1300)
 */
export function orderSummaryReply(language: ChatLanguage, lines: readonly SummaryLine[], vatRateBasisPoints: number): string {
  const totals = orderTotals(lines, vatRateBasisPoints);
  const units = lines.reduce((sum, l) => sum + l.quantity, 0);
  const body = lines.map(
    (l, i) =>
      `${i + 1}. ${l.name}\n   SKU: ${l.sku}\n   ${pick(language, "Qty", "परिमाण")}: ${l.quantity} × ${whole(l.unitPricePaisa)} = ${whole(l.quantity * l.unitPricePaisa)}`,
  );
  return [
    pick(language, "📋 Order Summary:", "📋 अर्डर विवरण:"),
    "",
    body.join("\n\n"),
    "",
    `${pick(language, "Subtotal", "उप-जम्मा")}: ${exact(totals.subtotalPaisa)}`,
    `${pick(language, "Tax", "कर")} (${percent(vatRateBasisPoints)}%): ${exact(totals.vatPaisa)}`,
    `${pick(language, "Total", "कुल जम्मा")}: ${exact(totals.totalPaisa)}`,
    "",
    pick(language, `✅ Found ${lines.length} product(s), ${units} total items.`, `✅ ${lines.length} सामान, जम्मा ${units} थान।`),
    "",
    pick(language, "Reply:", "जवाफ दिनुहोस्:"),
    pick(language, '• "CONFIRM" to place order', '• "CONFIRM" वा "हो" — अर्डर पक्का गर्न'),
    pick(language, '• "CANCEL" to cancel', '• "CANCEL" वा "रद्द" — अर्डर रद्द गर्न'),
  ].join("\n");
}

/**
 * The question about one unclear line: numbered candidates with prices, or "how many?".
 * @example clarifyReply("en", { text: "coke", reason: "ambiguous", candidates: ["COKE-250", "COKE-500"] }, lookup)
 */
export function clarifyReply(language: ChatLanguage, pending: ChatPendingLine, product: (sku: string) => ReplyProduct | undefined): string {
  const what = pending.text.replace(/\s+/gu, " ").trim();
  if (asksQuantity(pending)) {
    const p = product(pending.candidates[0]!);
    const name = p ? `${p.name} (${whole(p.pricePaisa)}/${p.unit})` : pending.candidates[0]!;
    return pick(
      language,
      `❓ How many ${name}?\nReply with a number, e.g. 5 — or SKIP.`,
      `❓ ${name} कति चाहियो?\nसङ्ख्या लेखेर पठाउनुहोस्, जस्तै 5 — वा SKIP।`,
    );
  }
  const options = pending.candidates.map((sku, i) => {
    const p = product(sku);
    return `${i + 1}) ${p ? `${p.name} ${whole(p.pricePaisa)}` : sku}`;
  });
  const n = pending.candidates.length;
  return pick(
    language,
    `❓ Which ${what}?\n${options.join("\n")}\n\nReply with a number (1-${n}), or number x quantity (e.g. "1 x 6"), or SKIP.`,
    `❓ कुन ${what}?\n${options.join("\n")}\n\nनम्बर (1-${n}) वा नम्बर x परिमाण (जस्तै "1 x 6") पठाउनुहोस्, वा SKIP।`,
  );
}

/** Products named in a message that the catalog does not have. */
export function unknownProductsReply(language: ChatLanguage, names: readonly string[]): string {
  const list = names.map((n) => `• "${n.replace(/\s+/gu, " ").trim()}"`).join("\n");
  return pick(
    language,
    `❌ Not found in our catalog:\n${list}\n\nSend "PRICE <name>" to search, e.g. PRICE rice.`,
    `❌ हाम्रो सूचीमा भेटिएन:\n${list}\n\nखोज्न "PRICE <नाम>" पठाउनुहोस्, जस्तै PRICE चामल।`,
  );
}

/** Said when a new item list replaces a draft that was waiting. */
export function draftReplacedNote(language: ChatLanguage): string {
  return pick(language, "ℹ️ Your new list replaces your earlier draft.", "ℹ️ नयाँ सूचीले अघिल्लो ड्राफ्टलाई बदल्यो।");
}

/** The seed's confirmation after an order is placed. */
export function orderConfirmedReply(language: ChatLanguage, order: { number: string; status: string; totalPaisa: number; items: number }): string {
  return pick(
    language,
    `✅ Order Confirmed!\n\nOrder #${order.number}\nStatus: ${order.status}\nTotal: ${exact(order.totalPaisa)}\nItems: ${order.items}\n\nTrack: Send "STATUS ${order.number}"`,
    `✅ अर्डर पक्का भयो!\n\nअर्डर #${order.number}\nस्थिति: ${order.status}\nकुल जम्मा: ${exact(order.totalPaisa)}\nसामान: ${order.items}\n\nट्र्याक: "STATUS ${order.number}" पठाउनुहोस्`,
  );
}

const STATUS_ICON: Record<string, string> = { PENDING: "⏳", ACCEPTED: "👍", DISPATCHED: "🚚", DELIVERED: "✅", CANCELLED: "❌", REJECTED: "❌" };

/** The seed's order status reply. */
export function orderStatusReply(language: ChatLanguage, order: StatusOrder): string {
  const icon = STATUS_ICON[order.status] ?? "⏳";
  const delivery = order.expectedDeliveryDate ?? "-";
  return pick(
    language,
    `${icon} Order Status\n\nOrder #${order.number}\nStatus: ${order.status}\nVendor: ${order.vendorName}\n\nItems: ${order.items}\nTotal: ${exact(order.totalPaisa)}\nPaid: ${exact(order.paidPaisa)}\nDue: ${exact(order.duePaisa)}\n\nExpected Delivery: ${delivery}`,
    `${icon} अर्डरको स्थिति\n\nअर्डर #${order.number}\nस्थिति: ${order.status}\nबिक्रेता: ${order.vendorName}\n\nसामान: ${order.items}\nकुल जम्मा: ${exact(order.totalPaisa)}\nतिरेको: ${exact(order.paidPaisa)}\nबाँकी: ${exact(order.duePaisa)}\n\nडेलिभरी मिति: ${delivery}`,
  );
}

/** STATUS for an order number this retailer does not have. */
export function orderNotFoundReply(language: ChatLanguage, number: string): string {
  return pick(language, `❌ Order ${number} not found.`, `❌ अर्डर ${number} भेटिएन।`);
}

/** STATUS or ORDERS or REORDER before any order. */
export function noOrdersReply(language: ChatLanguage): string {
  return pick(
    language,
    "📭 You have no orders yet.\n\nSend your items to order, e.g.\nRICE-1KG x 10",
    "📭 तपाईंको कुनै अर्डर छैन।\n\nअर्डर गर्न सामान पठाउनुहोस्, जस्तै\nचामल 10 kg",
  );
}

/** The last few orders. */
export function ordersListReply(language: ChatLanguage, orders: readonly OrderListRow[]): string {
  const rows = orders.map((o, i) => `${i + 1}. ${o.number} · ${o.status} · ${exact(o.totalPaisa)} · ${o.businessDate}`);
  return pick(
    language,
    `📦 Your last ${orders.length} order(s):\n\n${rows.join("\n")}\n\nSend "STATUS <number>" for details.`,
    `📦 तपाईंका पछिल्ला ${orders.length} अर्डर:\n\n${rows.join("\n")}\n\nविवरणका लागि "STATUS <नम्बर>" पठाउनुहोस्।`,
  );
}

/** Credit limit, used, available, due and overdue. */
export function balanceReply(language: ChatLanguage, credit: CreditFigures & { duePaisa: number; overduePaisa: number }): string {
  return pick(
    language,
    `💰 Your Credit\n\nLimit: ${exact(credit.limitPaisa)}\nUsed: ${exact(credit.usedPaisa)}\nAvailable: ${exact(credit.availablePaisa)}\n\nDue: ${exact(credit.duePaisa)}\nOverdue: ${exact(credit.overduePaisa)}`,
    `💰 तपाईंको उधारो\n\nसीमा: ${exact(credit.limitPaisa)}\nप्रयोग भएको: ${exact(credit.usedPaisa)}\nउपलब्ध: ${exact(credit.availablePaisa)}\n\nतिर्न बाँकी: ${exact(credit.duePaisa)}\nम्याद नाघेको: ${exact(credit.overduePaisa)}`,
  );
}

/** PRICE lookup. */
export function priceReply(language: ChatLanguage, query: string, products: readonly ReplyProduct[]): string {
  if (products.length === 0) {
    return pick(language, `❌ No product matches "${query}".`, `❌ "${query}" सँग मिल्ने सामान भेटिएन।`);
  }
  const rows = products.map((p) => `• ${p.name} (${p.sku}): ${whole(p.pricePaisa)}/${p.unit}`);
  return pick(language, `💲 Prices for "${query}":\n${rows.join("\n")}`, `💲 "${query}" को मूल्य:\n${rows.join("\n")}`);
}

/** HELP / MENU. */
export function helpReply(language: ChatLanguage): string {
  return pick(
    language,
    [
      "📚 Khaacho Help",
      "",
      "🛒 Place Order: send items and quantities",
      "Example:\nRICE-1KG x 10\nchini 5 kg, tel 2 litre",
      "",
      "✏️ Before confirming: ADD dal 5kg · REMOVE dal · CONFIRM · CANCEL",
      "📦 STATUS ORD260210001 · STATUS (latest) · ORDERS",
      "💰 BALANCE · 💲 PRICE chini · 🔁 REORDER",
      "🌐 NEPALI / ENGLISH",
    ].join("\n"),
    [
      "📚 खाचो सहायता",
      "",
      "🛒 अर्डर: सामान र परिमाण पठाउनुहोस्",
      "जस्तै:\nचामल 10 kg\nचिनी 5 kg, तेल 2 लिटर",
      "",
      "✏️ पक्का गर्नु अघि: ADD दाल 5kg · REMOVE दाल · हो (CONFIRM) · रद्द (CANCEL)",
      "📦 STATUS ORD260210001 · स्थिति (पछिल्लो) · अर्डर (ORDERS)",
      "💰 ब्यालेन्स · 💲 मूल्य चिनी · 🔁 REORDER",
      "🌐 NEPALI / ENGLISH",
    ].join("\n"),
  );
}

/** An unregistered number (both languages: nothing is known about the sender). */
export function strangerReply(): string {
  return [
    "👋 Welcome to Khaacho!",
    "",
    "You're not registered yet.",
    "",
    "To place orders via WhatsApp, please:",
    "1. Contact our admin team",
    "2. Complete registration",
    "3. Get your account activated",
    "",
    "नमस्ते! यो नम्बर दर्ता भएको छैन। अर्डर गर्न खाचोको एडमिनलाई सम्पर्क गरी दर्ता गर्नुहोस्।",
    "",
    "Thank you!",
  ].join("\n");
}

/** A photo or voice note without text. */
export function mediaReply(language: ChatLanguage): string {
  return pick(
    language,
    "📷 Thanks! We can only read text for now. Please send your order as text, e.g.\nRICE-1KG x 10",
    "📷 धन्यवाद! हामी अहिले लेखेको मात्र पढ्न सक्छौं। कृपया अर्डर लेखेर पठाउनुहोस्, जस्तै\nचामल 10 kg",
  );
}

/** A draft dropped because it was too old. */
export function draftExpiredReply(language: ChatLanguage, minutes: number): string {
  return pick(
    language,
    `⌛ Your earlier draft was older than ${minutes} minutes and has been cleared. Starting fresh.`,
    `⌛ तपाईंको अघिल्लो ड्राफ्ट ${minutes} मिनेटभन्दा पुरानो भएकोले हटाइयो। नयाँ सुरु गरौं।`,
  );
}

/** After NEPALI / ENGLISH. */
export function languageReply(language: ChatLanguage): string {
  return pick(language, "🌐 Replies are now in English. Send NEPALI for नेपाली.", "🌐 अब जवाफ नेपालीमा आउनेछ। अंग्रेजीका लागि ENGLISH पठाउनुहोस्।");
}

/** CANCEL with a draft. */
export function cancelledReply(language: ChatLanguage): string {
  return pick(language, "❌ Order cancelled.\n\nSend a new message to place another order.", "❌ अर्डर रद्द भयो।\n\nनयाँ अर्डरका लागि फेरि सन्देश पठाउनुहोस्।");
}

/** CANCEL or CONFIRM with nothing waiting. */
export function nothingPendingReply(language: ChatLanguage): string {
  return pick(
    language,
    "ℹ️ You have no order waiting.\n\nSend your items to order, e.g.\nRICE-1KG x 10",
    "ℹ️ पक्का गर्न बाँकी कुनै अर्डर छैन।\n\nअर्डर गर्न सामान पठाउनुहोस्, जस्तै\nचामल 10 kg",
  );
}

/** CONFIRM while a question is still open. */
export function answerFirstReply(language: ChatLanguage): string {
  return pick(language, "⚠️ Please answer the question above first (or send SKIP).", "⚠️ कृपया पहिले माथिको प्रश्नको जवाफ दिनुहोस् (वा SKIP)।");
}

/** A message that is not understood while a draft waits for CONFIRM. */
export function confirmPromptReply(language: ChatLanguage): string {
  return pick(
    language,
    '⚠️ Please reply:\n• "CONFIRM" to place order\n• "CANCEL" to cancel\n\nOr send corrections to your order.',
    '⚠️ कृपया जवाफ दिनुहोस्:\n• "हो" (CONFIRM) अर्डर पक्का गर्न\n• "रद्द" (CANCEL) रद्द गर्न\n\nवा अर्डरमा सच्याउन ADD / REMOVE पठाउनुहोस्।',
  );
}

/** A message that is not understood with nothing going on. */
export function notUnderstoodReply(language: ChatLanguage): string {
  return pick(
    language,
    "🤔 Sorry, I could not find any items in that.\n\nSend items and quantities, e.g.\nRICE-1KG x 10\nor HELP for the menu.",
    "🤔 माफ गर्नुहोस्, सामान बुझिएन।\n\nसामान र परिमाण पठाउनुहोस्, जस्तै\nचामल 10 kg\nवा मेनुका लागि मद्दत।",
  );
}

/** A message longer than the parser reads. */
export function tooLongReply(language: ChatLanguage): string {
  return pick(language, "⚠️ That message is too long. Please send your order in shorter messages.", "⚠️ सन्देश धेरै लामो भयो। कृपया छोटो सन्देशमा पठाउनुहोस्।");
}

/** A number sent when there is no question to answer, or one that does not fit the question. */
export function invalidChoiceReply(language: ChatLanguage, asking: boolean): string {
  if (asking) return pick(language, "⚠️ That answer does not fit the question. Please try again.", "⚠️ त्यो जवाफ प्रश्नसँग मिलेन। फेरि प्रयास गर्नुहोस्।");
  return pick(language, "ℹ️ There is no question waiting for a number. Send HELP for the menu.", "ℹ️ सङ्ख्याले जवाफ दिनुपर्ने कुनै प्रश्न छैन। मेनुका लागि मद्दत पठाउनुहोस्।");
}

/** REMOVE of something not in the draft. */
export function notInDraftReply(language: ChatLanguage, text: string): string {
  return pick(language, `⚠️ "${text}" is not in your draft.`, `⚠️ "${text}" तपाईंको ड्राफ्टमा छैन।`);
}

/** A line taken out of the draft by REMOVE. */
export function removedNote(language: ChatLanguage, name: string): string {
  return pick(language, `🗑️ Removed ${name}.`, `🗑️ ${name} हटाइयो।`);
}

/** The draft became empty after REMOVE. */
export function draftEmptyReply(language: ChatLanguage): string {
  return pick(language, "🗑️ Your draft is now empty. Send items to start a new order.", "🗑️ ड्राफ्ट खाली भयो। नयाँ अर्डरका लागि सामान पठाउनुहोस्।");
}

/** Unexpected failure (the message is recorded as failed). */
export function errorReply(language: ChatLanguage): string {
  return pick(
    language,
    "❌ Sorry, something went wrong processing your message.\n\nPlease try again or contact support.",
    "❌ माफ गर्नुहोस्, सन्देश प्रक्रिया गर्दा समस्या भयो।\n\nफेरि प्रयास गर्नुहोस् वा सहयोगलाई सम्पर्क गर्नुहोस्।",
  );
}

/**
 * Why CONFIRM did not place the order, with a way forward. The draft is kept, so the retailer can
 * edit it and CONFIRM again.
 */
export function refusalReply(language: ChatLanguage, refusal: OrderRefusal, draft: readonly { sku: string; quantity: number }[] = []): string {
  switch (refusal.reason) {
    case "out_of_stock": {
      const short = new Map(refusal.lines.map((l) => [l.sku, l.available]));
      const rows = refusal.lines.map((l) =>
        pick(language, `• ${l.name}: only ${l.available} available (you asked ${l.requested})`, `• ${l.name}: ${l.available} मात्र उपलब्ध (तपाईंले ${l.requested} माग्नुभयो)`),
      );
      const rest = draft
        .map((l) => ({ sku: l.sku, quantity: Math.min(l.quantity, short.get(l.sku) ?? l.quantity) }))
        .filter((l) => l.quantity > 0)
        .map((l) => `${l.sku} x ${l.quantity}`);
      const offer =
        rest.length > 0
          ? pick(language, `\n\nTo order what is available, send:\n${rest.join("\n")}`, `\n\nउपलब्ध जति अर्डर गर्न यो पठाउनुहोस्:\n${rest.join("\n")}`)
          : "";
      return pick(language, `⚠️ Not enough stock:\n${rows.join("\n")}`, `⚠️ स्टक पुगेन:\n${rows.join("\n")}`) + offer;
    }
    case "credit_limit":
      return pick(
        language,
        `⚠️ This order (${exact(refusal.requiredPaisa)}) is over your available credit of ${exact(refusal.availablePaisa)} (limit ${exact(refusal.limitPaisa)}, used ${exact(refusal.usedPaisa)}).\n\nReduce the order (REMOVE an item or send a smaller list) and CONFIRM again, or make a payment.`,
        `⚠️ यो अर्डर (${exact(refusal.requiredPaisa)}) तपाईंको उपलब्ध उधारो ${exact(refusal.availablePaisa)} भन्दा बढी भयो (सीमा ${exact(refusal.limitPaisa)}, प्रयोग ${exact(refusal.usedPaisa)})।\n\nअर्डर घटाउनुहोस् (REMOVE वा सानो सूची) र फेरि हो पठाउनुहोस्, वा भुक्तानी गर्नुहोस्।`,
      );
    case "retailer_suspended":
      return pick(
        language,
        "⚠️ Your account is suspended, so new orders cannot be placed.\n\nPlease contact Khaacho admin to reactivate your account.",
        "⚠️ तपाईंको खाता निलम्बित छ, नयाँ अर्डर गर्न मिल्दैन।\n\nखाता सुचारु गर्न खाचो एडमिनलाई सम्पर्क गर्नुहोस्।",
      );
    default:
      return pick(language, `⚠️ The order could not be placed: ${describeRefusal(refusal)}`, `⚠️ अर्डर गर्न सकिएन: ${describeRefusal(refusal)}`);
  }
}

/**
 * Splits a reply into WhatsApp-sized messages at line breaks (a single over-long line is cut);
 * blank lines at the edges of each part are dropped.
 * @example splitReply("a\nb", 1) // ["a", "b"]
 */
export function splitReply(text: string, limit: number = WHATSAPP_REPLY_LIMIT): string[] {
  const max = Math.max(1, Math.floor(limit));
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let current: string[] = [];
  let length = -1;
  const flush = () => {
    const part = current.join("\n").replace(/^\n+|\n+$/gu, "");
    if (part.trim() !== "") parts.push(part);
    current = [];
    length = -1;
  };
  for (const line of text.split("\n")) {
    const pieces: string[] = [];
    for (let i = 0; i < Math.max(1, line.length); i += max) pieces.push(line.slice(i, i + max));
    for (const piece of pieces) {
      if (length + 1 + piece.length > max) flush();
      current.push(piece);
      length += 1 + piece.length;
    }
  }
  flush();
  return parts;
}
