import { createLogger, drainSpool, type InboundWhatsAppMessage, KEPT_REPLY, type WebhookBot } from "@khaacho/server";
import knexFactory from "knex";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { createTestApp, inboundParams, postSigned, twimlMessages } from "./support/server-app.js";

const PATH = "/webhooks/twilio/whatsapp";

describeEachDatabase(
  "server: database outage",
  (ctx) => {
    it("health goes 503, the webhook apologises and keeps the messages, and they are processed once the database returns", async () => {
      // Stands in for the bot's storage: every message touches the database, as the real one does.
      const handled: string[] = [];
      const bot: WebhookBot = {
        async handle(message: InboundWhatsAppMessage) {
          await ctx.db.knex("leads").insert({ phone: message.phone, first_message: message.body }).onConflict("phone").merge({ last_seen_at: new Date() });
          handled.push(message.messageSid);
          return { replies: [`reply to ${message.body}`], duplicate: false };
        },
      };
      const { app, spool, logs } = createTestApp(ctx.db.knex, bot);
      expect((await app.request("/health")).status).toBe(200);

      const name = ((await ctx.db.knex.raw("select current_database() as name")) as { rows: { name: string }[] }).rows[0]!.name;
      const first = inboundParams("+9779812300001", "2 rice");
      const second = inboundParams("+9779812300001", "CONFIRM");
      const admin = knexFactory({ client: "pg", connection: process.env.TEST_DATABASE_URL, pool: { min: 0, max: 1 } });
      try {
        await admin.raw(`alter database ${name} with allow_connections false`);
        await admin.raw("select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()", [name]);

        const health = await app.request("/health");
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: "unavailable", database: { reachable: false } });

        for (const params of [first, second]) {
          const res = await postSigned(app, PATH, params);
          expect(res.status).toBe(200);
          expect(twimlMessages(await res.text())).toEqual([KEPT_REPLY]);
        }
        expect(logs.some((l) => l.level >= 50 && l.messageSid === first.MessageSid)).toBe(true);
        expect(spool.list().map((e) => e.message.messageSid)).toEqual([first.MessageSid, second.MessageSid]);

        // Still down: a drain pass stops at once and loses nothing.
        const early = await drainSpool({ spool, bot, sendReplies: async () => undefined, logger: createLogger("silent") });
        expect(early).toMatchObject({ processed: 0, stoppedByOutage: true, remaining: 2 });
      } finally {
        await admin.raw(`alter database ${name} with allow_connections true`);
        await admin.destroy();
      }

      expect((await app.request("/health")).status).toBe(200);
      // A new message from the same phone waits behind the kept ones, so the conversation keeps its order.
      const third = inboundParams("+9779812300001", "status");
      expect(twimlMessages(await (await postSigned(app, PATH, third)).text())).toEqual([KEPT_REPLY]);

      const replies: { sid: string; replies: readonly string[] }[] = [];
      const report = await drainSpool({
        spool,
        bot,
        sendReplies: async (m, r) => void replies.push({ sid: m.messageSid, replies: r }),
        logger: createLogger("silent"),
      });
      expect(report).toMatchObject({ processed: 3, failed: 0, stoppedByOutage: false, remaining: 0 });
      expect(handled).toEqual([first.MessageSid, second.MessageSid, third.MessageSid]);
      expect(replies.map((r) => r.replies[0])).toEqual(["reply to 2 rice", "reply to CONFIRM", "reply to status"]);
      expect(spool.size).toBe(0);

      // Live again: answered directly.
      const fourth = inboundParams("+9779812300001", "thanks");
      expect(twimlMessages(await (await postSigned(app, PATH, fourth)).text())).toEqual(["reply to thanks"]);
    });
  },
  { targets: ["postgres"] },
);
