import { createLogger, startServer, type WebhookBot } from "@khaacho/server";
import twilio from "twilio";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { AUTH_TOKEN, createTestApp, inboundParams, PUBLIC_BASE_URL, twimlMessages } from "./support/server-app.js";

describeEachDatabase("server: graceful shutdown", (ctx) => {
  it("stops accepting connections but finishes the request in flight", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const slowBot: WebhookBot = {
      async handle(message) {
        started();
        await released;
        return { replies: [`done: ${message.body}`], duplicate: false };
      },
    };
    const { app } = createTestApp(ctx.db.knex, slowBot);
    const server = await startServer({ app, port: 0, hostname: "127.0.0.1", logger: createLogger("silent") });
    const params = inboundParams("+9779812345678", "slow one");
    const pending = fetch(`http://127.0.0.1:${server.port}/webhooks/twilio/whatsapp`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/whatsapp`, params),
        Connection: "close",
      },
      body: new URLSearchParams(params).toString(),
    });
    await inFlight;
    const closed = server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/health`)).rejects.toThrow();
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(twimlMessages(await res.text())).toEqual(["done: slow one"]);
    await closed;
  });
});

