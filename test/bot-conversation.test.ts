// Transcript tests: the WhatsApp bot through its real runtime and database, message by message.
import { chatReplies } from "@khaacho/core";
import { expect, it } from "vitest";
import { botOn, RAM, retailerChat, seed, SITA } from "./support/bot.js";
import { describeEachDatabase } from "./support/databases.js";

const GITA = "+9779856789012";
const MAYA = "+9779741234567";
const HARI = "+9779845678901";
const BISHNU = "+9779867890123";

describeEachDatabase("bot: the product guide's order flow, exactly", (ctx) => {
  // 09:45 in Kathmandu on 10 Feb 2026: the first order of the day is ORD260210001, as in the guide.
  const clock = { now: new Date("2026-02-10T04:00:00.000Z") };

  it("order summary, CONFIRM and STATUS in the guide's words", async () => {
    await seed(ctx.db, "docs");
    const bot = botOn(ctx.db, clock);
    const ram = retailerChat(() => bot, RAM, clock);
    expect(await ram.send("RICE-1KG x 10\nDAL-1KG x 5")).toEqual([
      "📋 Order Summary:\n\n1. Basmati Rice 1KG\n   SKU: RICE-1KG\n   Qty: 10 × Rs.150 = Rs.1500\n\n2. Toor Dal 1KG\n   SKU: DAL-1KG\n   Qty: 5 × Rs.120 = Rs.600\n\nSubtotal: Rs.2100.00\nTax (13%): Rs.273.00\nTotal: Rs.2373.00\n\n✅ Found 2 product(s), 15 total items.\n\nReply:\n• \"CONFIRM\" to place order\n• \"CANCEL\" to cancel",
    ]);
    expect(await ram.send("CONFIRM", { sid: "SM-docs-confirm" })).toEqual([
      '✅ Order Confirmed!\n\nOrder #ORD260210001\nStatus: PENDING\nTotal: Rs.2373.00\nItems: 2\n\nTrack: Send "STATUS ORD260210001"',
    ]);
    const order = await ctx.db.knex("orders").where({ number: "ORD260210001" }).first();
    expect(order).toMatchObject({ source: "whatsapp", idempotency_key: "SM-docs-confirm", total_paisa: 237_300 });
    expect(await ram.send("STATUS ORD260210001")).toEqual([
      "⏳ Order Status\n\nOrder #ORD260210001\nStatus: PENDING\nVendor: ABC Distributors\n\nItems: 2\nTotal: Rs.2373.00\nPaid: Rs.0.00\nDue: Rs.2373.00\n\nExpected Delivery: 2026-02-11",
    ]);
    // Plain STATUS is the latest order.
    expect((await ram.send("status"))[0]).toContain("Order #ORD260210001");
  });

  it("the same CONFIRM delivered again (same message id) answers the same and places nothing", async () => {
    const bot = botOn(ctx.db, clock);
    const first = await bot.handle({ messageSid: "SM-docs-confirm", phone: RAM, body: "CONFIRM", numMedia: 0, receivedAt: clock.now });
    expect(first).toEqual({ duplicate: true, replies: [expect.stringContaining("Order #ORD260210001")] });
    expect(await ctx.db.knex("orders").count({ n: "*" }).first()).toMatchObject({ n: 1 });
  });

  it("CANCEL drops the draft; CONFIRM then has nothing to place", async () => {
    const bot = botOn(ctx.db, clock);
    const ram = retailerChat(() => bot, RAM, clock);
    await ram.send("RICE-1KG x 1");
    expect(await ram.send("CANCEL")).toEqual(["❌ Order cancelled.\n\nSend a new message to place another order."]);
    expect(await ram.send("CONFIRM")).toEqual([chatReplies.nothingPendingReply("en")]);
    expect(await ctx.db.knex("orders").count({ n: "*" }).first()).toMatchObject({ n: 1 });
  });

  it("a message that is not understood while an order waits asks for CONFIRM or CANCEL", async () => {
    const bot = botOn(ctx.db, clock);
    const ram = retailerChat(() => bot, RAM, clock);
    await ram.send("DAL-1KG x 2");
    expect(await ram.send("maybe later")).toEqual(['⚠️ Please reply:\n• "CONFIRM" to place order\n• "CANCEL" to cancel\n\nOr send corrections to your order.']);
    await ram.send("CANCEL");
  });
});

describeEachDatabase("bot: conversations on the Surkhet example", (ctx) => {
  const clock = { now: new Date("2026-11-25T04:00:00.000Z") };
  const bot = () => botOn(ctx.db, clock);
  const orders = async () => Number(((await ctx.db.knex("orders").count({ n: "*" }).first()) as { n: number | string }).n);

  it("clarifies one line at a time with numbered candidates: a number, number x quantity, SKIP", async () => {
    await seed(ctx.db, "surkhet");
    const ram = retailerChat(bot, RAM, clock);
    const [question] = await ram.send("chamal 2 bora, coke 6, chini 10 kg");
    expect(question).toBe(
      '❓ Which chamal 2 bora?\n1) Jeera Masino Rice 25kg Bora Rs.2350\n2) Jeera Masino Rice 30kg Bora Rs.2800\n\nReply with a number (1-2), or number x quantity (e.g. "1 x 6"), or SKIP.',
    );
    const [coke] = await ram.send("2");
    expect(coke).toMatch(/^❓ Which coke 6\?\n1\) Coca-Cola/u);
    expect(await ram.send("9")).toEqual([chatReplies.invalidChoiceReply("en", true), coke]);
    const choice = coke!.split("\n").findIndex((l) => l.includes("Coca-Cola 500ml Bottle"));
    const [summary] = await ram.send(`${choice} x 12`);
    expect(summary).toContain("Jeera Masino Rice 30kg Bora\n   SKU: RICE-JEERA-30KG\n   Qty: 2 × Rs.2800 = Rs.5600");
    expect(summary).toContain("SKU: COKE-500ML\n   Qty: 12 × Rs.70 = Rs.840");
    expect(summary).toContain("SKU: SUGAR-KG\n   Qty: 10 × Rs.112 = Rs.1120");
    expect(summary).toContain("✅ Found 3 product(s), 24 total items.");
    expect(await ram.send("CANCEL")).toEqual([chatReplies.cancelledReply("en")]);

    const [again] = await ram.send("chamal 2 bora");
    expect(again).toMatch(/^❓ Which chamal/u);
    expect(await ram.send("skip")).toEqual([chatReplies.draftEmptyReply("en")]);
    expect(await ram.send("CONFIRM")).toEqual([chatReplies.nothingPendingReply("en")]);
    expect(await orders()).toBe(0);
  });

  it("asks how many when the quantity is missing, and reports unknown products by name", async () => {
    const ram = retailerChat(bot, RAM, clock);
    const [unknown, ask] = await ram.send("chini\nzzqx flurble 4");
    expect(unknown).toBe(chatReplies.unknownProductsReply("en", ["zzqx flurble 4"]));
    expect(ask).toBe('❓ Which chini?\n1) Sugar 1kg Packet Rs.120\n2) Sugar (loose per kg) Rs.112\n\nReply with a number (1-2), or number x quantity (e.g. "1 x 6"), or SKIP.');
    expect(await ram.send("2")).toEqual(["❓ How many Sugar (loose per kg) (Rs.112/kg)?\nReply with a number, e.g. 5 — or SKIP."]);
    const [summary] = await ram.send("5");
    expect(summary).toContain("Qty: 5 × Rs.112 = Rs.560");
    await ram.send("CANCEL");
  });

  it("ADD, REMOVE and a new list edit the draft before CONFIRM", async () => {
    const ram = retailerChat(bot, RAM, clock);
    await ram.send("SALT-1KG x 10");
    const [added] = await ram.send("ADD SUGAR-KG x 5");
    expect(added).toContain("SKU: SALT-1KG");
    expect(added).toContain("SKU: SUGAR-KG\n   Qty: 5 × Rs.112");
    const [removed, summary] = await ram.send("REMOVE salt");
    expect(removed).toBe("🗑️ Removed Aayo Iodised Salt 1kg Packet.");
    expect(summary).not.toContain("SALT-1KG");
    expect(await ram.send("REMOVE coke")).toEqual(['⚠️ "coke" is not in your draft.', summary]);
    const [note, replaced] = await ram.send("SALT-1KG x 3");
    expect(note).toBe(chatReplies.draftReplacedNote("en"));
    expect(replaced).toContain("SKU: SALT-1KG\n   Qty: 3 ×");
    expect(replaced).not.toContain("SUGAR-KG");
    expect(await ram.send("REMOVE 1")).toEqual(["🗑️ Removed Aayo Iodised Salt 1kg Packet.", chatReplies.draftEmptyReply("en")]);
    expect(await orders()).toBe(0);
  });

  it("queries: STATUS, ORDERS, BALANCE, PRICE, REORDER, HELP", async () => {
    const ram = retailerChat(bot, RAM, clock);
    expect(await ram.send("STATUS")).toEqual([chatReplies.noOrdersReply("en")]);
    expect(await ram.send("ORDERS")).toEqual([chatReplies.noOrdersReply("en")]);
    expect(await ram.send("REORDER")).toEqual([chatReplies.noOrdersReply("en")]);
    await ram.send("SALT-1KG x 10");
    const [confirmed] = await ram.send("CONFIRM");
    const number = /Order #(ORD\d+)/u.exec(confirmed!)?.[1];
    expect(number).toMatch(/^ORD261125\d{3}$/u);
    const [status] = await ram.send("STATUS");
    expect(status).toMatch(new RegExp(`^⏳ Order Status\\n\\nOrder #${number}\\nStatus: PENDING\\nVendor: .+\\n\\nItems: 1\\nTotal: Rs\\.282\\.50\\nPaid: Rs\\.0\\.00\\nDue: Rs\\.282\\.50\\n\\nExpected Delivery: 2026-11-26$`, "u"));
    expect(await ram.send("orders")).toEqual([`📦 Your last 1 order(s):\n\n1. ${number} · PENDING · Rs.282.50 · 2026-11-25\n\nSend "STATUS <number>" for details.`]);
    expect(await ram.send("BALANCE")).toEqual(["💰 Your Credit\n\nLimit: Rs.50000.00\nUsed: Rs.282.50\nAvailable: Rs.49717.50\n\nDue: Rs.0.00\nOverdue: Rs.0.00"]);
    expect(await ram.send("CREDIT")).toEqual(await ram.send("balance"));
    expect((await ram.send("PRICE chini"))[0]).toBe('💲 Prices for "chini":\n• Sugar 1kg Packet (SUGAR-1KG-PKT): Rs.120/packet\n• Sugar (loose per kg) (SUGAR-KG): Rs.112/kg');
    const [reorder] = await ram.send("REORDER");
    expect(reorder).toContain("SKU: SALT-1KG\n   Qty: 10 × Rs.25 = Rs.250");
    await ram.send("CANCEL");
    expect(await ram.send("HELP")).toEqual([chatReplies.helpReply("en")]);
    expect(await ram.send("menu")).toEqual([chatReplies.helpReply("en")]);
    // Another retailer's order number is not found.
    expect(await retailerChat(bot, GITA, clock).send(`STATUS ${number}`)).toEqual([`❌ Order ${number} not found.`]);
  });

  it("refusals: not enough stock (offer the rest), over the credit limit, suspended account", async () => {
    const gita = retailerChat(bot, GITA, clock);
    await gita.send("SALT-1KG x 400");
    const [stock] = await gita.send("CONFIRM");
    expect(stock).toMatch(/^⚠️ Not enough stock:\n• Aayo Iodised Salt 1kg Packet: only \d+ available \(you asked 400\)\n\nTo order what is available, send:\nSALT-1KG x \d+$/u);
    const offer = stock!.split("\n").at(-1)!;
    // The draft is kept; sending the offered line replaces it and can be confirmed.
    await gita.send(offer);
    expect((await gita.send("CONFIRM"))[0]).toMatch(/^✅ Order Confirmed!/u);

    const before = await orders();
    const maya = retailerChat(bot, MAYA, clock);
    await maya.send("RICE-BASMATI-25KG x 10");
    const [credit] = await maya.send("CONFIRM");
    expect(credit).toBe(
      "⚠️ This order (Rs.41245.00) is over your available credit of Rs.20000.00 (limit Rs.20000.00, used Rs.0.00).\n\nReduce the order (REMOVE an item or send a smaller list) and CONFIRM again, or make a payment.",
    );
    expect((await maya.send("CONFIRM"))[0]).toBe(credit);
    await maya.send("RICE-BASMATI-25KG x 4");
    expect((await maya.send("CONFIRM"))[0]).toMatch(/^✅ Order Confirmed!/u);
    expect(await orders()).toBe(before + 1);

    await ctx.db.knex("retailers").where({ phone: HARI }).update({ status: "SUSPENDED" });
    const hari = retailerChat(bot, HARI, clock);
    await hari.send("SALT-1KG x 2");
    expect(await hari.send("CONFIRM")).toEqual([chatReplies.refusalReply("en", { reason: "retailer_suspended", status: "SUSPENDED" })]);
    expect(await orders()).toBe(before + 1);
  });

  it("Nepali: a Nepali retailer gets Devanagari replies; NEPALI/ENGLISH switch and are remembered", async () => {
    const sita = retailerChat(bot, SITA, clock);
    const [summary] = await sita.send("चिनी 5 kg");
    expect(summary).toMatch(/^📋 अर्डर विवरण:\n\n1\. Sugar \(loose per kg\)\n   SKU: SUGAR-KG\n   परिमाण: 5 × Rs\.112 = Rs\.560\n\nउप-जम्मा: Rs\.560\.00\nकर \(13%\): Rs\.72\.80\nकुल जम्मा: Rs\.632\.80/u);
    const [placed] = await sita.send("हो");
    expect(placed).toMatch(/^✅ अर्डर पक्का भयो!\n\nअर्डर #ORD\d+\nस्थिति: PENDING\nकुल जम्मा: Rs\.632\.80\nसामान: 1/u);
    expect((await sita.send("स्थिति"))[0]).toMatch(/^⏳ अर्डरको स्थिति/u);
    expect((await sita.send("ब्यालेन्स"))[0]).toMatch(/^💰 तपाईंको उधारो/u);
    expect(await sita.send("english")).toEqual([chatReplies.languageReply("en")]);
    expect(await ctx.db.knex("retailers").where({ phone: SITA }).first()).toMatchObject({ language: "en" });
    expect((await sita.send("HELP"))[0]).toMatch(/^📚 Khaacho Help/u);

    const bishnu = retailerChat(bot, BISHNU, clock);
    expect(await bishnu.send("ENGLISH")).toEqual([chatReplies.languageReply("en")]);
    expect(await bishnu.send("नेपाली")).toEqual([chatReplies.languageReply("ne")]);
    expect(await bishnu.send("मद्दत")).toEqual([chatReplies.helpReply("ne")]);
    expect(await bishnu.send("रद्द")).toEqual([chatReplies.nothingPendingReply("ne")]);
  });

  it("a stranger is told how to register and recorded as a lead; nothing else happens", async () => {
    const stranger = "+9779800000001";
    const before = await orders();
    const handle = (body: string, sid: string) => bot().handle({ messageSid: sid, phone: stranger, body, profileName: "Shyam", numMedia: 0, receivedAt: clock.now });
    expect(await handle("RICE-1KG x 10", "SM-stranger-1")).toEqual({ duplicate: false, replies: [chatReplies.strangerReply()] });
    expect((await handle("CONFIRM", "SM-stranger-2")).replies).toEqual([chatReplies.strangerReply()]);
    expect(await ctx.db.knex("leads").where({ phone: stranger }).first()).toMatchObject({ profile_name: "Shyam", first_message: "RICE-1KG x 10", message_count: 2 });
    expect(await ctx.db.knex("conversations").where({ phone: stranger }).first()).toBeUndefined();
    expect(await orders()).toBe(before);
  });

  it("a photo without text gets a polite request for text, and the draft waits", async () => {
    const ram = retailerChat(bot, RAM, clock);
    await ram.send("SALT-1KG x 2");
    expect(await ram.send("", { numMedia: 1 })).toEqual([chatReplies.mediaReply("en")]);
    expect((await ram.send("CONFIRM"))[0]).toMatch(/^✅ Order Confirmed!/u);
  });

  it("a draft older than the configured minutes is dropped, and the retailer told", async () => {
    const late = { now: new Date(clock.now) };
    const ram = retailerChat(() => botOn(ctx.db, late), RAM, late);
    await ram.send("SALT-1KG x 2");
    late.now = new Date(late.now.getTime() + 31 * 60_000);
    expect(await ram.send("CONFIRM")).toEqual([chatReplies.draftExpiredReply("en", 30), chatReplies.nothingPendingReply("en")]);
    // Within the limit the draft stays.
    await ram.send("SALT-1KG x 2");
    late.now = new Date(late.now.getTime() + 29 * 60_000);
    expect((await ram.send("CONFIRM"))[0]).toMatch(/^✅ Order Confirmed!/u);
  });

  it("every message is recorded with its replies; a reply over 1,600 characters is split at line breaks", async () => {
    const ram = retailerChat(bot, RAM, clock);
    const skus = ((await ctx.db.knex("products").select("sku").orderBy("sku").limit(60)) as { sku: string }[]).map((p) => p.sku);
    const replies = await ram.send(skus.map((sku) => `${sku} x 1`).join("\n"), { sid: "SM-long-list" });
    expect(replies.length).toBeGreaterThan(1);
    for (const reply of replies) expect(reply.length).toBeLessThanOrEqual(1600);
    expect(replies.join("\n")).toContain(`✅ Found ${skus.length} product(s), ${skus.length} total items.`);
    const row = await ctx.db.knex("inbound_messages").where({ message_sid: "SM-long-list" }).first();
    expect(row).toMatchObject({ status: "processed", phone: RAM });
    expect(typeof row.replies === "string" ? JSON.parse(row.replies) : row.replies).toEqual(replies);
    await ram.send("CANCEL");
  });
});
