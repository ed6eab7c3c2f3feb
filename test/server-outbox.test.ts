import { deliverOutbox, OutboxSendError, type OutboundMessage, type OutboxSender, outboxRetryDelayMs } from "@khaacho/db";
import type { WebhookBot } from "@khaacho/server";
import type { Knex } from "knex";
import { beforeEach, expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { createTestApp, postSigned } from "./support/server-app.js";

const NOW = new Date("2026-02-10T06:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const TEMPLATE = "HX0123456789abcdef0123456789abcdef";

function fakeSender(plan: (message: OutboundMessage, call: number) => string | Error = (_, call) => `SMout${call}`) {
  const sent: OutboundMessage[] = [];
  const sender: OutboxSender = {
    async send(message) {
      sent.push(message);
      const outcome = plan(message, sent.length);
      if (outcome instanceof Error) throw outcome;
      return { providerSid: outcome };
    },
  };
  return { sender, sent };
}

async function enqueue(knex: Knex, row: { toPhone: string; kind: string; body: string; at?: Date }): Promise<number> {
  const [inserted] = (await knex("outbox")
    .insert({ to_phone: row.toPhone, kind: row.kind, body: row.body, next_attempt_at: row.at ?? NOW, created_at: row.at ?? NOW })
    .returning("id")) as { id: number }[];
  return inserted!.id;
}

async function lastInbound(knex: Knex, phone: string, at: Date): Promise<void> {
  await knex("conversations").insert({ phone, snapshot: JSON.stringify({}), last_inbound_at: at }).onConflict("phone").merge(["last_inbound_at"]);
}

const row = (knex: Knex, id: number) => knex("outbox").where({ id }).first();

describeEachDatabase("server: outbox delivery", (ctx) => {
  beforeEach(async () => {
    await ctx.db.knex("outbox").del();
    await ctx.db.knex("conversations").del();
    await ctx.db.knex("inbound_messages").del();
  });

  it("sends free text inside the 24-hour window and records the provider id", async () => {
    await lastInbound(ctx.db.knex, "+9779811111111", minutes(-60));
    const id = await enqueue(ctx.db.knex, { toPhone: "+9779811111111", kind: "order.status", body: "Order ORD260210001 is on its way" });
    const { sender, sent } = fakeSender();
    const report = await deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: {} });
    expect(report).toMatchObject({ claimed: 1, sent: 1, retrying: 0, failed: 0, waitingForTemplate: 0 });
    expect(sent).toEqual([{ kind: "text", to: "+9779811111111", body: "Order ORD260210001 is on its way" }]);
    expect(await row(ctx.db.knex, id)).toMatchObject({ status: "sent", provider_sid: "SMout1", attempts: 1, last_error: null });
    // Nothing is sent twice.
    expect((await deliverOutbox(ctx.db.knex, { sender, now: minutes(5), templates: {} })).claimed).toBe(0);
  });

  it("counts any message the recipient sent, not only a retailer's conversation: a vendor who wrote in gets free text", async () => {
    // A vendor (or a stranger) has no conversation row; the webhook records its message all the same.
    await ctx.db.knex("inbound_messages").insert({ message_sid: "SMvendor1", phone: "+9779877777777", body: "ok", status: "processed", received_at: minutes(-30) });
    const id = await enqueue(ctx.db.knex, { toPhone: "+9779877777777", kind: "vendor.order_placed", body: "New order ORD260210009" });
    const { sender, sent } = fakeSender();
    const report = await deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: {} });
    expect(report).toMatchObject({ sent: 1, waitingForTemplate: 0 });
    expect(sent).toEqual([{ kind: "text", to: "+9779877777777", body: "New order ORD260210009" }]);
    expect(await row(ctx.db.knex, id)).toMatchObject({ status: "sent" });
    // The newer of the two counts when both exist.
    await lastInbound(ctx.db.knex, "+9779877777777", minutes(-26 * 60));
    await enqueue(ctx.db.knex, { toPhone: "+9779877777777", kind: "vendor.order_placed", body: "New order ORD260210010" });
    expect(await deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: {} })).toMatchObject({ sent: 1, waitingForTemplate: 0 });
  });

  it("uses the kind's approved template outside the window, with the text on one line as {{1}}", async () => {
    await lastInbound(ctx.db.knex, "+9779822222222", minutes(-25 * 60));
    const id = await enqueue(ctx.db.knex, { toPhone: "+9779822222222", kind: "order.vendor_new", body: "New order ORD260210002\n2 x Rice 25kg\n\nTotal Rs.2,373.00" });
    const noConversation = await enqueue(ctx.db.knex, { toPhone: "+9779833333333", kind: "order.vendor_new", body: "New order ORD260210003" });
    const { sender, sent } = fakeSender();
    const report = await deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: { "order.vendor_new": TEMPLATE } });
    expect(report.sent).toBe(2);
    expect(sent[0]).toEqual({ kind: "template", to: "+9779822222222", contentSid: TEMPLATE, contentVariables: { "1": "New order ORD260210002 · 2 x Rice 25kg · Total Rs.2,373.00" } });
    expect(sent[1]).toMatchObject({ kind: "template", to: "+9779833333333", contentSid: TEMPLATE });
    expect(await row(ctx.db.knex, id)).toMatchObject({ status: "sent", content_sid: TEMPLATE });
    expect(await row(ctx.db.knex, noConversation)).toMatchObject({ status: "sent" });
  });

  it("keeps a message pending with a clear error when no template is configured, and sends it once the recipient writes", async () => {
    await lastInbound(ctx.db.knex, "+9779844444444", minutes(-48 * 60));
    const id = await enqueue(ctx.db.knex, { toPhone: "+9779844444444", kind: "order.status", body: "Your order was delivered" });
    const { sender, sent } = fakeSender();
    const report = await deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: { "order.vendor_new": TEMPLATE } });
    expect(report).toMatchObject({ claimed: 1, sent: 0, waitingForTemplate: 1 });
    expect(sent).toHaveLength(0);
    const waiting = await row(ctx.db.knex, id);
    expect(waiting).toMatchObject({ status: "pending", attempts: 0 });
    expect(waiting.last_error).toMatch(/no template is configured for kind "order.status" \(set TWILIO_CONTENT_TEMPLATES\)/);
    expect(new Date(waiting.next_attempt_at).getTime()).toBe(minutes(15).getTime());

    await lastInbound(ctx.db.knex, "+9779844444444", minutes(10));
    expect((await deliverOutbox(ctx.db.knex, { sender, now: minutes(12), templates: {} })).claimed).toBe(0);
    const later = await deliverOutbox(ctx.db.knex, { sender, now: minutes(16), templates: {} });
    expect(later.sent).toBe(1);
    expect(sent).toEqual([{ kind: "text", to: "+9779844444444", body: "Your order was delivered" }]);
  });

  it("retries a transient failure with exponential backoff and marks the row failed after the last attempt", async () => {
    await lastInbound(ctx.db.knex, "+9779855555555", NOW);
    const id = await enqueue(ctx.db.knex, { toPhone: "+9779855555555", kind: "order.status", body: "hello" });
    const { sender, sent } = fakeSender(() => new Error("socket hang up"));
    let at = NOW;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const report = await deliverOutbox(ctx.db.knex, { sender, now: at, templates: {}, maxAttempts: 4 });
      expect(report.retrying).toBe(1);
      const current = await row(ctx.db.knex, id);
      expect(current).toMatchObject({ status: "pending", attempts: attempt, last_error: "socket hang up" });
      const due = new Date(current.next_attempt_at).getTime();
      expect(due - at.getTime()).toBe(outboxRetryDelayMs(attempt));
      // Not due yet: nothing happens.
      expect((await deliverOutbox(ctx.db.knex, { sender, now: new Date(due - 1000), templates: {}, maxAttempts: 4 })).claimed).toBe(0);
      at = new Date(due);
    }
    expect([outboxRetryDelayMs(1), outboxRetryDelayMs(2), outboxRetryDelayMs(3), outboxRetryDelayMs(20)]).toEqual([60_000, 120_000, 240_000, 3_600_000]);
    const last = await deliverOutbox(ctx.db.knex, { sender, now: at, templates: {}, maxAttempts: 4 });
    expect(last.failed).toBe(1);
    expect(await row(ctx.db.knex, id)).toMatchObject({ status: "failed", attempts: 4, last_error: "socket hang up (gave up after 4 attempts)" });
    expect(sent).toHaveLength(4);
  });

  it("fails a permanently rejected message at once, and a later transient success still works for others", async () => {
    await lastInbound(ctx.db.knex, "+9779866666666", NOW);
    const bad = await enqueue(ctx.db.knex, { toPhone: "+9779866666666", kind: "order.status", body: "first" });
    const good = await enqueue(ctx.db.knex, { toPhone: "+9779866666666", kind: "order.status", body: "second" });
    const { sender } = fakeSender((m, call) => (m.kind === "text" && m.body === "first" ? new OutboxSendError("Twilio 400 (code 21211): invalid To", true) : `SMok${call}`));
    const report = await deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: {} });
    expect(report).toMatchObject({ sent: 1, failed: 1 });
    expect(await row(ctx.db.knex, bad)).toMatchObject({ status: "failed", attempts: 1, last_error: "Twilio 400 (code 21211): invalid To" });
    expect(await row(ctx.db.knex, good)).toMatchObject({ status: "sent" });
  });

  it("records signed delivery callbacks monotonically: a late 'sent' never overwrites 'delivered'", async () => {
    await ctx.db.knex("outbox").insert({ to_phone: "+9779877777777", kind: "order.status", body: "x", status: "sent", provider_sid: "SMcallback1", attempts: 1 });
    const bot: WebhookBot = {
      async handle() {
        throw new Error("not used");
      },
    };
    const { app } = createTestApp(ctx.db.knex, bot);
    const post = (status: string, extra: Record<string, string> = {}) =>
      postSigned(app, "/webhooks/twilio/status", { MessageSid: "SMcallback1", MessageStatus: status, AccountSid: "AC0123456789abcdef0123456789abcdef", ...extra });
    const status = async () => (await ctx.db.knex("outbox").where({ provider_sid: "SMcallback1" }).first()).status as string;

    expect((await post("delivered")).status).toBe(204);
    expect(await status()).toBe("delivered");
    expect((await post("sent")).status).toBe(204);
    expect(await status()).toBe("delivered");
    expect((await post("queued")).status).toBe(204);
    expect(await status()).toBe("delivered");
    expect((await post("read")).status).toBe(204);
    expect(await status()).toBe("read");
    expect((await post("delivered")).status).toBe(204);
    expect(await status()).toBe("read");

    const unsigned = await postSigned(app, "/webhooks/twilio/status", { MessageSid: "SMcallback1", MessageStatus: "failed" }, { signature: null });
    expect(unsigned.status).toBe(403);
    expect(await status()).toBe("read");

    await ctx.db.knex("outbox").insert({ to_phone: "+9779877777778", kind: "order.status", body: "y", status: "sent", provider_sid: "SMcallback2", attempts: 1 });
    const failed = await postSigned(app, "/webhooks/twilio/status", { MessageSid: "SMcallback2", MessageStatus: "undelivered", ErrorCode: "63016", ErrorMessage: "outside the window" });
    expect(failed.status).toBe(204);
    expect(await ctx.db.knex("outbox").where({ provider_sid: "SMcallback2" }).first()).toMatchObject({ status: "undelivered", last_error: "Twilio error 63016: outside the window" });

    expect((await postSigned(app, "/webhooks/twilio/status", { MessageSid: "SMunknown", MessageStatus: "delivered" })).status).toBe(204);
  });
});

describeEachDatabase(
  "server: outbox delivery runs in parallel",
  (ctx) => {
    it("two runs at once send every row exactly once", async () => {
      for (let i = 0; i < 40; i++) await enqueue(ctx.db.knex, { toPhone: `+97798800000${String(i).padStart(2, "0")}`, kind: "order.status", body: `m${i}` });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => lastInbound(ctx.db.knex, `+97798800000${String(i).padStart(2, "0")}`, NOW)),
      );
      const { sender, sent } = fakeSender((m, call) => `SMpar${call}`);
      const reports = await Promise.all([
        deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: {}, limit: 25 }),
        deliverOutbox(ctx.db.knex, { sender, now: NOW, templates: {}, limit: 25 }),
      ]);
      expect(reports[0]!.sent + reports[1]!.sent).toBe(40);
      expect(new Set(sent.map((m) => (m.kind === "text" ? m.body : ""))).size).toBe(40);
      expect(sent).toHaveLength(40);
    });
  },
  { targets: ["postgres"], poolMax: 10 },
);
