// The conversation lives in the database: a restart between any two messages changes nothing, and
// repeated or simultaneous deliveries place one order.
import { chatReplies } from "@khaacho/core";
import { expect, it } from "vitest";
import { createBot } from "@khaacho/bot";
import { botOn, RAM, retailerChat, seed } from "./support/bot.js";
import { describeEachDatabase } from "./support/databases.js";
import { insertOffer, insertProduct, insertRetailer, insertVendor } from "./support/order-fixtures.js";

const GITA = "+9779856789012";
const SCRIPT = [
  "chamal 2 bora, coke 6\nchini",
  "2",
  "9",
  "4 x 12",
  "2",
  "7",
  "ADD SALT-1KG x 2",
  "REMOVE salt",
  "NEPALI",
  "हो",
  "ENGLISH",
  "STATUS",
  "REORDER",
  "maybe later",
  "CANCEL",
  "CONFIRM",
];
const orderNumbers = (text: string) => text.replace(/ORD\d{9,}/gu, "ORD#").replace(/\d{4}-\d{2}-\d{2}/gu, "DATE");

describeEachDatabase("bot: restarts", (ctx) => {
  const clock = { now: new Date("2026-11-25T04:00:00.000Z") };

  it("a new bot (a restart, another instance) before every message gives the same conversation as one bot", async () => {
    await seed(ctx.db, "surkhet");
    const one = botOn(ctx.db, clock);
    const steady = retailerChat(() => one, RAM, clock);
    const withOne: string[][] = [];
    for (const message of SCRIPT) withOne.push(await steady.send(message));

    const restarting = retailerChat(() => botOn(ctx.db, clock), RAM, clock);
    const withRestarts: string[][] = [];
    for (const message of SCRIPT) withRestarts.push(await restarting.send(message));

    expect(withRestarts.map((r) => r.map(orderNumbers))).toEqual(withOne.map((r) => r.map(orderNumbers)));
    // The script reaches each state and places one order per run, through the CONFIRM in Nepali.
    expect(withOne[9]?.[0]).toMatch(/^✅ अर्डर पक्का भयो!/u);
    expect(withOne.at(-1)).toEqual([chatReplies.nothingPendingReply("en")]);
    expect(await ctx.db.knex("orders").count({ n: "*" }).first()).toMatchObject({ n: 2 });
  });
});

describeEachDatabase(
  "bot: simultaneous deliveries",
  (ctx) => {
    const clock = { now: new Date("2026-11-25T04:00:00.000Z") };
    const orders = async () => Number(((await ctx.db.knex("orders").count({ n: "*" }).first()) as { n: number | string }).n);

    it("the same CONFIRM delivered six times at once places one order and answers each the same", async () => {
      await seed(ctx.db, "surkhet");
      const bot = botOn(ctx.db, clock);
      await retailerChat(() => bot, RAM, clock).send("SALT-1KG x 3");
      const results = await Promise.all(
        Array.from({ length: 6 }, () => botOn(ctx.db, clock).handle({ messageSid: "SM-parallel-confirm", phone: RAM, body: "CONFIRM", numMedia: 0, receivedAt: clock.now })),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      for (const r of results) expect(r.replies).toEqual(results[0]?.replies);
      expect(results[0]?.replies[0]).toMatch(/^✅ Order Confirmed!/u);
      expect(await orders()).toBe(1);
    });

    it("different CONFIRM messages of one phone at once are handled one after the other: one order", async () => {
      await retailerChat(() => botOn(ctx.db, clock), GITA, clock).send("SALT-1KG x 3");
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) => botOn(ctx.db, clock).handle({ messageSid: `SM-gita-confirm-${i}`, phone: GITA, body: "CONFIRM", numMedia: 0, receivedAt: clock.now })),
      );
      const replies = results.map((r) => r.replies[0]);
      expect(replies.filter((r) => r?.startsWith("✅ Order Confirmed!"))).toHaveLength(1);
      expect(replies.filter((r) => r === chatReplies.nothingPendingReply("en"))).toHaveLength(3);
      expect(await orders()).toBe(2);
    });

    it("100 retailers confirming at once for stock of 10: 10 orders, 90 told what is left, nobody gets an apology", async () => {
      const knex = ctx.db.knex;
      const vendor = await insertVendor(knex);
      const lamp = await insertProduct(knex, { sku: "LAMP-OIL-1L", name: "Lamp Oil 1L", pricePaisa: 30000 });
      await insertOffer(knex, { vendorId: vendor.id, productId: lamp.id, costPaisa: 27000, stock: 10 });
      const retailers = await Promise.all(Array.from({ length: 100 }, () => insertRetailer(knex, { limitPaisa: 1_000_000 })));
      for (const r of retailers) await retailerChat(() => botOn(ctx.db, clock), r.phone, clock).send("LAMP-OIL-1L x 1");
      // Every CONFIRM but the first ten finds its stock taken after it read it: placement conflicts,
      // retried inside each message's transaction, must never surface as an error.
      const results = await Promise.all(
        retailers.map((r, i) => botOn(ctx.db, clock).handle({ messageSid: `SM-rush-${i}`, phone: r.phone, body: "CONFIRM", numMedia: 0, receivedAt: clock.now })),
      );
      const first = results.map((r) => r.replies[0] ?? "");
      expect(first.filter((t) => t === chatReplies.errorReply("en"))).toEqual([]);
      expect(first.filter((t) => t.startsWith("✅ Order Confirmed!"))).toHaveLength(10);
      expect(first.filter((t) => !t.startsWith("✅ Order Confirmed!")).every((t) => /Lamp Oil 1L/u.test(t))).toBe(true);
      expect(await knex("vendor_products").where({ vendor_id: vendor.id }).first("stock", "reserved")).toEqual({ stock: 0, reserved: 10 });
      expect(await knex("inbound_messages").whereIn("message_sid", retailers.map((_, i) => `SM-rush-${i}`)).where({ status: "processed" }).count({ n: "*" }).first()).toMatchObject({ n: 100 });
    });
  },
  { targets: ["postgres"], poolMax: 10 },
);

describeEachDatabase("bot: unexpected errors", (ctx) => {
  it("are answered with a short apology and recorded as failed in a fresh transaction, never thrown", async () => {
    await seed(ctx.db, "docs");
    // A VAT rate the pricing refuses makes the order summary throw inside the message's transaction.
    const broken = createBot({ knex: ctx.db.knex, config: { vatRateBasisPoints: -1, businessTimeZone: "Asia/Kathmandu", draftTtlMinutes: 30 } });
    const message = { messageSid: "SM-broken-1", phone: RAM, body: "RICE-1KG x 10", numMedia: 0, receivedAt: new Date() };
    expect(await broken.handle(message)).toEqual({ duplicate: false, replies: [chatReplies.errorReply("en")] });
    const row = await ctx.db.knex("inbound_messages").where({ message_sid: "SM-broken-1" }).first();
    expect(row).toMatchObject({ status: "failed", body: "RICE-1KG x 10", error: expect.stringContaining("VAT rate must be 0..9999 basis points") });
    // Nothing of the failed message's work stayed: no conversation was written.
    expect(await ctx.db.knex("conversations").where({ phone: RAM }).first()).toBeUndefined();
    // A retry of the same message id gets the same answer.
    expect(await botOn(ctx.db).handle(message)).toEqual({ duplicate: true, replies: [chatReplies.errorReply("en")] });
  });
});
