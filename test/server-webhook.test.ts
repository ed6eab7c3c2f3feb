import { SLOW_DOWN_REPLY, KEPT_REPLY, type InboundWhatsAppMessage, type WebhookBot } from "@khaacho/server";
import { beforeEach, expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import twilio from "twilio";
import { AUTH_TOKEN, createTestApp, inboundParams, postSigned, PUBLIC_BASE_URL, twimlMessages } from "./support/server-app.js";

const PATH = "/webhooks/twilio/whatsapp";
const PHONE = "+9779812345678";

// Records what reaches it: these tests are about what the HTTP layer lets through, not the bot.
function recordingBot(answer: (m: InboundWhatsAppMessage) => string[] = (m) => [`got: ${m.body}`]): WebhookBot & { calls: InboundWhatsAppMessage[] } {
  const calls: InboundWhatsAppMessage[] = [];
  return {
    calls,
    async handle(message) {
      calls.push(message);
      return { replies: answer(message), duplicate: false };
    },
  };
}

describeEachDatabase("server: WhatsApp webhook, signatures and limits", (ctx) => {
  let bot: ReturnType<typeof recordingBot>;
  beforeEach(() => {
    bot = recordingBot();
  });

  it("answers a correctly signed message with the bot's replies as TwiML", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    const params = inboundParams(PHONE, "2 rice 5kg & 1 oil <fresh>");
    const res = await postSigned(app, PATH, params);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>/);
    expect(twimlMessages(xml)).toEqual(["got: 2 rice 5kg & 1 oil <fresh>"]);
    expect(bot.calls).toHaveLength(1);
    expect(bot.calls[0]).toMatchObject({ messageSid: params.MessageSid, phone: PHONE, body: "2 rice 5kg & 1 oil <fresh>", profileName: "Test Shop", numMedia: 0 });
  });

  it("rejects a wrong, missing or tampered signature with 403 and processes nothing", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    const params = inboundParams(PHONE, "hello");
    const wrongToken = await postSigned(app, PATH, params, { authToken: "ffffffffffffffffffffffffffffffff" });
    const missing = await postSigned(app, PATH, params, { signature: null });
    const garbage = await postSigned(app, PATH, params, { signature: "bm90IGEgc2lnbmF0dXJl" });
    const tampered = await postSigned(app, PATH, params, { extraBody: { Body: "500 rice" } });
    const added = await postSigned(app, PATH, params, { extraBody: { Injected: "1" } });
    for (const res of [wrongToken, missing, garbage, tampered, added]) expect(res.status).toBe(403);
    expect(bot.calls).toHaveLength(0);
    const rows = await ctx.db.knex("inbound_messages").where({ message_sid: params.MessageSid });
    expect(rows).toHaveLength(0);
  });

  it("validates against PUBLIC_BASE_URL, so a request arriving through a proxy is accepted", async () => {
    const publicBaseUrl = "https://public.example.net/khaacho";
    const { app } = createTestApp(ctx.db.knex, bot, { settings: { publicBaseUrl } });
    const ok = await postSigned(app, PATH, inboundParams(PHONE, "via proxy"), { signedUrl: `${publicBaseUrl}${PATH}` });
    expect(ok.status).toBe(200);
    // Signed for the address the request physically arrived at: not what Twilio was configured with.
    const local = await postSigned(app, PATH, inboundParams(PHONE, "direct"), { signedUrl: `http://localhost${PATH}` });
    expect(local.status).toBe(403);
    expect(bot.calls.map((c) => c.body)).toEqual(["via proxy"]);
  });

  it("includes unknown extra parameters in the signature", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    const params = inboundParams(PHONE, "with extras", { ButtonPayload: "confirm", SomethingTwilioAddsLater: "x y z" });
    const res = await postSigned(app, PATH, params);
    expect(res.status).toBe(200);
    expect(bot.calls).toHaveLength(1);
  });

  it("signs a parameter sent more than once over all its values, in order, and decodes + and %XX", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    const params = { ...inboundParams(PHONE, "two photos + a note: 50% off?"), NumMedia: "2" };
    const repeated = { MediaUrl: ["https://api.twilio.com/media/ME1", "https://api.twilio.com/media/ME2"] };
    const body = (values: string[]) => {
      const form = new URLSearchParams(params);
      for (const value of values) form.append("MediaUrl", value);
      return form.toString();
    };
    const post = (values: string[]) =>
      app.request(PATH, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Twilio-Signature": twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}${PATH}`, { ...params, ...repeated }),
        },
        body: body(values),
      });
    expect((await post(repeated.MediaUrl)).status).toBe(200);
    expect(bot.calls.at(-1)?.body).toBe("two photos + a note: 50% off?");
    expect((await post([repeated.MediaUrl[0] as string])).status).toBe(403);
    expect((await post([...repeated.MediaUrl, "https://evil.example/x"])).status).toBe(403);
    expect(bot.calls).toHaveLength(1);
  });

  it("answers before Twilio gives up when the bot is slow: the message is kept and the retailer told so", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const slow: WebhookBot = {
      async handle(message) {
        await released;
        return { replies: [`late: ${message.body}`], duplicate: false };
      },
    };
    const { app, spool, logs } = createTestApp(ctx.db.knex, slow, { handleTimeoutMs: 50 });
    const params = inboundParams(PHONE, "2 rice");
    const res = await postSigned(app, PATH, params);
    release();
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual([KEPT_REPLY]);
    expect(spool.list().map((e) => e.message.messageSid)).toEqual([params.MessageSid]);
    expect(logs.some((l) => l.level >= 50 && l.messageSid === params.MessageSid && /did not answer within 50 ms/.test(String((l.err as { message?: string } | undefined)?.message)))).toBe(true);
  });

  it("refuses bodies over 64 KB with 413 before doing anything", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    const params = inboundParams(PHONE, "x".repeat(70 * 1024));
    const res = await postSigned(app, PATH, params);
    expect(res.status).toBe(413);
    expect(bot.calls).toHaveLength(0);
    const api = await app.request("/api/orders", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pad: "y".repeat(65 * 1024) }) });
    expect(api.status).toBe(413);
    // An API refusal carries the API's security headers like any other API response.
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    const apiNonsense = await app.request("/api/orders", { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": "12abc" }, body: "{}" });
    expect(apiNonsense.status).toBe(400);
    expect(apiNonsense.headers.get("x-content-type-options")).toBe("nosniff");
    // A declared Content-Length is judged from the header (the body is then read without a count),
    // and one that is not a byte count is refused.
    const declared = await app.request(PATH, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(65 * 1024 + 1) }, body: "Body=x" });
    expect(declared.status).toBe(413);
    const nonsense = await app.request(PATH, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "12abc" }, body: "Body=x" });
    expect(nonsense.status).toBe(400);
    expect(bot.calls).toHaveLength(0);
  });

  it("gives a sender over 30 messages a minute a slow-down reply without processing, and lets them in again a minute later", async () => {
    let clock = new Date("2026-02-10T04:00:00Z");
    const { app } = createTestApp(ctx.db.knex, bot, { now: () => clock });
    const sender = "+9779800000031";
    for (let i = 0; i < 30; i++) {
      const res = await postSigned(app, PATH, inboundParams(sender, `message ${i}`));
      expect(twimlMessages(await res.text())).toEqual([`got: message ${i}`]);
      clock = new Date(clock.getTime() + 1000);
    }
    const over = inboundParams(sender, "message 30");
    const res = await postSigned(app, PATH, over);
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual([SLOW_DOWN_REPLY]);
    expect(bot.calls).toHaveLength(30);
    const recorded = await ctx.db.knex("inbound_messages").where({ message_sid: over.MessageSid }).first();
    expect(recorded).toMatchObject({ status: "rate_limited", phone: sender });

    // Another sender is not affected.
    const other = await postSigned(app, PATH, inboundParams("+9779800000032", "hi"));
    expect(twimlMessages(await other.text())).toEqual(["got: hi"]);

    clock = new Date(clock.getTime() + 61_000);
    const later = await postSigned(app, PATH, inboundParams(sender, "after a minute"));
    expect(twimlMessages(await later.text())).toEqual(["got: after a minute"]);
  });

  it("never answers Twilio with a 5xx: a failing bot gives an apology, a logged MessageSid and a kept message", async () => {
    const failing: WebhookBot = {
      async handle() {
        throw new Error("boom in the bot");
      },
    };
    const { app, logs, spool } = createTestApp(ctx.db.knex, failing);
    const params = inboundParams(PHONE, "2 rice");
    const res = await postSigned(app, PATH, params);
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual([KEPT_REPLY]);
    expect(logs.some((l) => l.level >= 50 && l.messageSid === params.MessageSid)).toBe(true);
    expect(spool.list().map((e) => e.message.messageSid)).toEqual([params.MessageSid]);
  });

  it("ignores a signed message from a number that is not a phone, without a 5xx", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    const res = await postSigned(app, PATH, inboundParams(PHONE, "hi", { From: "whatsapp:not-a-number" }));
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual([]);
    expect(bot.calls).toHaveLength(0);
  });

  it("reports health and Prometheus metrics", async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    await postSigned(app, PATH, inboundParams(PHONE, "count me"));
    await postSigned(app, PATH, inboundParams(PHONE, "unsigned"), { signature: null });
    const health = await app.request("/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", version: "test", database: { reachable: true, migrationsCurrent: true, pendingMigrations: [] } });
    const metrics = await app.request("/metrics");
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('khaacho_http_requests_total{route="/webhooks/twilio/whatsapp",method="POST",status="200"} 1');
    expect(text).toContain('khaacho_http_requests_total{route="/webhooks/twilio/whatsapp",method="POST",status="403"} 1');
    expect(text).toContain('khaacho_whatsapp_messages_total{outcome="processed"} 1');
    expect(text).toMatch(/khaacho_http_request_duration_seconds_bucket\{le="0.05",route="\/webhooks\/twilio\/whatsapp",method="POST"\} \d+/);
    expect(text).toContain("khaacho_outbox_backlog 0");
    expect(text).toMatch(/# TYPE khaacho_orders_placed gauge/);
  });
});
