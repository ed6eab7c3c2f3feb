import { describe, expect, it } from "vitest";
import type { ChatLanguage } from "./chat-machine.js";
import * as replies from "./chat-replies.js";
import { splitReply, WHATSAPP_REPLY_LIMIT } from "./chat-replies.js";

const docsLines = [
  { sku: "RICE-1KG", name: "Basmati Rice 1KG", quantity: 10, unitPricePaisa: 15_000 },
  { sku: "DAL-1KG", name: "Toor Dal 1KG", quantity: 5, unitPricePaisa: 12_000 },
];

describe("chat replies in the product guide's formats", () => {
  it("order summary", () => {
    expect(replies.orderSummaryReply("en", docsLines, 1300)).toBe(
      "📋 Order Summary:\n\n1. Basmati Rice 1KG\n   SKU: RICE-1KG\n   Qty: 10 × Rs.150 = Rs.1500\n\n2. Toor Dal 1KG\n   SKU: DAL-1KG\n   Qty: 5 × Rs.120 = Rs.600\n\nSubtotal: Rs.2100.00\nTax (13%): Rs.273.00\nTotal: Rs.2373.00\n\n✅ Found 2 product(s), 15 total items.\n\nReply:\n• \"CONFIRM\" to place order\n• \"CANCEL\" to cancel",
    );
  });

  it("order summary shows paisa only when a price has them, and the VAT rate as configured", () => {
    const text = replies.orderSummaryReply("en", [{ sku: "X", name: "X", quantity: 3, unitPricePaisa: 10_050 }], 1250);
    expect(text).toContain("Qty: 3 × Rs.100.50 = Rs.301.50");
    expect(text).toContain("Tax (12.5%): Rs.37.69");
    expect(text).toContain("Total: Rs.339.19");
  });

  it("confirmation", () => {
    expect(replies.orderConfirmedReply("en", { number: "ORD260210001", status: "PENDING", totalPaisa: 237_300, items: 2 })).toBe(
      '✅ Order Confirmed!\n\nOrder #ORD260210001\nStatus: PENDING\nTotal: Rs.2373.00\nItems: 2\n\nTrack: Send "STATUS ORD260210001"',
    );
  });

  it("order status", () => {
    const order = { number: "ORD260210001", status: "PENDING", vendorName: "ABC Distributors", items: 2, totalPaisa: 237_300, paidPaisa: 0, duePaisa: 237_300, expectedDeliveryDate: "2024-02-15" };
    expect(replies.orderStatusReply("en", order)).toBe(
      "⏳ Order Status\n\nOrder #ORD260210001\nStatus: PENDING\nVendor: ABC Distributors\n\nItems: 2\nTotal: Rs.2373.00\nPaid: Rs.0.00\nDue: Rs.2373.00\n\nExpected Delivery: 2024-02-15",
    );
    expect(replies.orderStatusReply("en", { ...order, status: "DISPATCHED", expectedDeliveryDate: null })).toMatch(/^🚚 Order Status[\s\S]*Expected Delivery: -$/u);
  });

  it("cancel, not understood while waiting, unexpected error", () => {
    expect(replies.cancelledReply("en")).toBe("❌ Order cancelled.\n\nSend a new message to place another order.");
    expect(replies.confirmPromptReply("en")).toBe('⚠️ Please reply:\n• "CONFIRM" to place order\n• "CANCEL" to cancel\n\nOr send corrections to your order.');
    expect(replies.errorReply("en")).toBe("❌ Sorry, something went wrong processing your message.\n\nPlease try again or contact support.");
    expect(replies.orderNotFoundReply("en", "ORD999")).toBe("❌ Order ORD999 not found.");
  });

  it("a stranger learns how to register in English and Nepali", () => {
    const text = replies.strangerReply();
    expect(text).toMatch(/^👋 Welcome to Khaacho!\n\nYou're not registered yet\./u);
    expect(text).toContain("दर्ता");
  });
});

describe("clarifying questions", () => {
  const lookup = (sku: string) =>
    ({ "COKE-250": { sku, name: "Coca-Cola 250ml", unit: "bottle", pricePaisa: 4_000 }, "COKE-500": { sku, name: "Coca-Cola 500ml", unit: "bottle", pricePaisa: 6_500 } })[sku];
  it("numbers the candidates with prices", () => {
    const text = replies.clarifyReply("en", { text: "coke", reason: "ambiguous", candidates: ["COKE-250", "COKE-500"] }, lookup);
    expect(text).toBe('❓ Which coke?\n1) Coca-Cola 250ml Rs.40\n2) Coca-Cola 500ml Rs.65\n\nReply with a number (1-2), or number x quantity (e.g. "1 x 6"), or SKIP.');
  });
  it("asks how many when only the quantity is missing", () => {
    expect(replies.clarifyReply("en", { text: "coke", reason: "no_quantity", candidates: ["COKE-500"] }, lookup)).toMatch(/^❓ How many Coca-Cola 500ml \(Rs\.65\/bottle\)\?/u);
    expect(replies.clarifyReply("ne", { text: "coke", reason: "no_quantity", candidates: ["COKE-500"] }, lookup)).toContain("कति चाहियो");
  });
});

describe("refusals carry a way forward", () => {
  it("out of stock offers what is available", () => {
    const text = replies.refusalReply("en", { reason: "out_of_stock", lines: [{ sku: "RICE-1KG", name: "Basmati Rice 1KG", requested: 10, available: 4 }] }, [
      { sku: "RICE-1KG", quantity: 10 },
      { sku: "DAL-1KG", quantity: 5 },
    ]);
    expect(text).toBe("⚠️ Not enough stock:\n• Basmati Rice 1KG: only 4 available (you asked 10)\n\nTo order what is available, send:\nRICE-1KG x 4\nDAL-1KG x 5");
  });
  it("credit limit names the available credit", () => {
    const text = replies.refusalReply("en", { reason: "credit_limit", limitPaisa: 6_000_000, usedPaisa: 5_000_000, availablePaisa: 1_000_000, requiredPaisa: 2_500_000 });
    expect(text).toContain("over your available credit of Rs.10000.00 (limit Rs.60000.00, used Rs.50000.00)");
    expect(text).toContain("CONFIRM again");
  });
  it("suspended account says whom to contact", () => {
    expect(replies.refusalReply("ne", { reason: "retailer_suspended", status: "SUSPENDED" })).toContain("निलम्बित");
  });
});

describe("every reply exists in both languages", () => {
  it("English and Nepali texts differ and the Nepali ones are in Devanagari", () => {
    const texts = (language: ChatLanguage) => [
      replies.helpReply(language),
      replies.mediaReply(language),
      replies.draftExpiredReply(language, 30),
      replies.languageReply(language),
      replies.cancelledReply(language),
      replies.nothingPendingReply(language),
      replies.notUnderstoodReply(language),
      replies.balanceReply(language, { limitPaisa: 1, receivablePaisa: 0, holdsPaisa: 0, usedPaisa: 0, availablePaisa: 1, creditBalancePaisa: 0, duePaisa: 0, overduePaisa: 0 }),
      replies.orderSummaryReply(language, docsLines, 1300),
    ];
    const en = texts("en");
    const ne = texts("ne");
    for (const [i, text] of ne.entries()) {
      expect(text).not.toBe(en[i]);
      expect(text).toMatch(/[\u0900-\u097F]/u);
    }
  });
});

describe("splitReply", () => {
  it("keeps a short reply whole", () => {
    expect(splitReply("a\n\nb")).toEqual(["a\n\nb"]);
  });
  it("splits at line breaks, each part within the limit, nothing lost", () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i + 1}. Product number ${i + 1}`);
    const text = lines.join("\n");
    const parts = splitReply(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(WHATSAPP_REPLY_LIMIT);
    expect(parts.join("\n")).toBe(text);
  });
  it("cuts a single over-long line and drops blank edges", () => {
    expect(splitReply("abcdef\n\nxy", 3)).toEqual(["abc", "def", "xy"]);
    expect(splitReply("a\nb", 1)).toEqual(["a", "b"]);
  });
});
