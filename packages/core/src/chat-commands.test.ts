import { describe, expect, it } from "vitest";
import { buildCatalogIndex } from "./catalog-index.js";
import type { CatalogProduct } from "./catalog-index.js";
import { classifyMessage, findDraftLine } from "./chat-commands.js";
import { MAX_MESSAGE_LENGTH } from "./parser.js";

const product = (sku: string, name: string, unit: string, pricePaisa: number, aliases: string[] = []): CatalogProduct => ({ sku, name, unit, pricePaisa, aliases });
const index = buildCatalogIndex([
  product("RICE-1KG", "Basmati Rice 1KG", "packet", 15_000, ["chamal"]),
  product("DAL-1KG", "Toor Dal 1KG", "packet", 12_000, ["dal"]),
  product("SUGAR-KG", "Sugar (per kg)", "kg", 11_200, ["chini", "चिनी"]),
  product("COKE-250", "Coca-Cola 250ml Bottle", "bottle", 4_000, ["coke"]),
  product("COKE-500", "Coca-Cola 500ml Bottle", "bottle", 6_500, ["coke"]),
  product("COKE-1500", "Coca-Cola 1.5L Bottle", "bottle", 15_000, ["coke"]),
]);
const kind = (text: string) => classifyMessage(text, index).kind;

describe("classifyMessage", () => {
  it("reads keywords in English and Nepali, in any case and with trailing punctuation", () => {
    for (const text of ["CONFIRM", "confirm", "Yes!", "हो", "पक्का", "ok."]) expect(kind(text), text).toBe("confirm");
    for (const text of ["CANCEL", "cancel", "No", "रद्द", "radda"]) expect(kind(text), text).toBe("cancel");
    for (const text of ["HELP", "menu", "मद्दत", "?", "namaste dai", "Hello", "नमस्ते"]) expect(kind(text), text).toBe("help");
    for (const text of ["ORDERS", "my orders", "अर्डरहरू"]) expect(kind(text), text).toBe("orders");
    for (const text of ["BALANCE", "credit", "उधारो"]) expect(kind(text), text).toBe("balance");
    for (const text of ["REORDER", "re-order"]) expect(kind(text), text).toBe("reorder");
    expect(classifyMessage("NEPALI", index)).toEqual({ kind: "language", language: "ne" });
    expect(classifyMessage("नेपाली", index)).toEqual({ kind: "language", language: "ne" });
    expect(classifyMessage("english", index)).toEqual({ kind: "language", language: "en" });
    expect(kind("SKIP")).toBe("skip");
  });

  it("reads STATUS with and without an order number", () => {
    expect(classifyMessage("STATUS", index)).toEqual({ kind: "status" });
    expect(classifyMessage("status ord260210001", index)).toEqual({ kind: "status", orderNumber: "ORD260210001" });
    expect(classifyMessage("STATUS #ORD-999", index)).toEqual({ kind: "status", orderNumber: "ORD999" });
  });

  it("reads answers to a question: a number, number x quantity (also in Devanagari digits)", () => {
    expect(classifyMessage("2", index)).toEqual({ kind: "choice", index: 2 });
    expect(classifyMessage("2 x 6", index)).toEqual({ kind: "choice", index: 2, quantity: 6 });
    expect(classifyMessage("3×12", index)).toEqual({ kind: "choice", index: 3, quantity: 12 });
    expect(classifyMessage("२", index)).toEqual({ kind: "choice", index: 2 });
  });

  it("reads PRICE, ADD and REMOVE with their argument", () => {
    expect(classifyMessage("PRICE chini", index)).toEqual({ kind: "price", query: "chini" });
    expect(classifyMessage("मूल्य चिनी", index)).toEqual({ kind: "price", query: "चिनी" });
    const add = classifyMessage("ADD dal 5", index);
    expect(add.kind).toBe("add");
    if (add.kind === "add") expect(add.parsed.items).toEqual([expect.objectContaining({ sku: "DAL-1KG", quantity: 5 })]);
    expect(classifyMessage("remove coke", index)).toEqual({ kind: "remove", text: "coke" });
  });

  it("reads item lists as orders, keeping what is unclear", () => {
    const order = classifyMessage("RICE-1KG x 10\nDAL-1KG x 5", index);
    expect(order.kind).toBe("order");
    if (order.kind === "order") expect(order.parsed.items.map((i) => [i.sku, i.quantity])).toEqual([["RICE-1KG", 10], ["DAL-1KG", 5]]);
    const unclear = classifyMessage("coke 6", index);
    expect(unclear.kind).toBe("order");
    if (unclear.kind === "order") expect(unclear.parsed.unresolved[0]?.candidates.length).toBeGreaterThan(1);
  });

  it("does not take an order line that contains a keyword for the keyword", () => {
    expect(kind("chini 5 kg ok")).not.toBe("confirm");
    expect(kind("status")).toBe("status");
  });

  it("says what it cannot read instead of throwing", () => {
    expect(classifyMessage("", index)).toEqual({ kind: "other", text: "" });
    expect(classifyMessage("   ", index)).toEqual({ kind: "other", text: "" });
    expect(kind("hmm")).toBe("other");
    expect(classifyMessage("x".repeat(MAX_MESSAGE_LENGTH + 1), index)).toMatchObject({ kind: "other", tooLong: true });
    expect(classifyMessage(undefined as unknown as string, index)).toEqual({ kind: "other", text: "" });
  });
});

describe("findDraftLine", () => {
  const skus = ["RICE-1KG", "COKE-500"];
  it("finds a line by number, by SKU and by name", () => {
    expect(findDraftLine(index, skus, "2")).toBe("COKE-500");
    expect(findDraftLine(index, skus, "rice-1kg")).toBe("RICE-1KG");
    expect(findDraftLine(index, skus, "coke")).toBe("COKE-500");
    expect(findDraftLine(index, skus, "chamal")).toBe("RICE-1KG");
  });
  it("finds nothing for what the draft does not have", () => {
    expect(findDraftLine(index, skus, "3")).toBeUndefined();
    expect(findDraftLine(index, skus, "dal")).toBeUndefined();
  });
});
