// The webhook over the real bot and database: what Twilio sends is what the retailer gets, once.
import { createBot } from "@khaacho/bot";
import { expect, it } from "vitest";
import { botConfig, RAM, seed } from "./support/bot.js";
import { describeEachDatabase } from "./support/databases.js";
import { createTestApp, inboundParams, newMessageSid, postSigned, twimlMessages } from "./support/server-app.js";

const WEBHOOK = "/webhooks/twilio/whatsapp";

describeEachDatabase("webhook through the real bot", (ctx) => {
  const app = () => createTestApp(ctx.db.knex, createBot({ knex: ctx.db.knex, config: botConfig })).app;
  const orderCount = async () => Number(((await ctx.db.knex("orders").count({ n: "*" }).first()) as { n: number }).n);

  it("answers an order with the summary as TwiML, and a replayed CONFIRM (in sequence) places one order", async () => {
    await seed(ctx.db, "docs");
    const a = app();
    const summary = await postSigned(a, WEBHOOK, inboundParams(RAM, "RICE-1KG x 10\nDAL-1KG x 5"));
    expect(summary.status).toBe(200);
    expect(summary.headers.get("content-type")).toMatch(/xml/);
    const [text] = twimlMessages(await summary.text());
    expect(text).toContain("Subtotal: Rs.2100.00\nTax (13%): Rs.273.00\nTotal: Rs.2373.00");

    const confirm = inboundParams(RAM, "CONFIRM");
    const first = twimlMessages(await (await postSigned(a, WEBHOOK, confirm)).text());
    const replay = twimlMessages(await (await postSigned(a, WEBHOOK, confirm)).text());
    expect(first[0]).toMatch(/✅ Order Confirmed!\n\nOrder #ORD\d{9,}\nStatus: PENDING\nTotal: Rs\.2373\.00\nItems: 2/);
    expect(replay).toEqual(first);
    expect(await orderCount()).toBe(1);
  });

  it("gives every parallel replay of one CONFIRM the same answer and places one order", async () => {
    const a = app();
    await postSigned(a, WEBHOOK, inboundParams(RAM, "DAL-1KG x 2"));
    const confirm = inboundParams(RAM, "CONFIRM", { MessageSid: newMessageSid() });
    const before = await orderCount();
    const answers = await Promise.all(Array.from({ length: 5 }, async () => twimlMessages(await (await postSigned(a, WEBHOOK, confirm)).text())));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.[0]).toContain("✅ Order Confirmed!");
    expect(await orderCount()).toBe(before + 1);
  });

  it("asks for text when a photo arrives without words, and places nothing", async () => {
    const before = await orderCount();
    const media = inboundParams(RAM, "", { NumMedia: "1", MediaUrl0: "https://api.twilio.com/media/ME1", MediaContentType0: "image/jpeg" });
    const response = await postSigned(app(), WEBHOOK, media);
    expect(response.status).toBe(200);
    const [text] = twimlMessages(await response.text());
    expect(text?.toLowerCase()).toContain("text");
    expect(await orderCount()).toBe(before);
  });
});
