import { request as httpRequest, Agent } from "node:http";
import { createLogger, startServer, type WebhookBot } from "@khaacho/server";
import twilio from "twilio";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { AUTH_TOKEN, createTestApp, inboundParams, PUBLIC_BASE_URL, twimlMessages } from "./support/server-app.js";

// A bot that holds each message until released: a request in flight for as long as a test needs.
function heldBot(): { slowBot: WebhookBot; inFlight: Promise<void>; release: () => void } {
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
  return { slowBot, inFlight, release };
}

describeEachDatabase("server: graceful shutdown", (ctx) => {
  it("stops accepting connections but finishes the request in flight", async () => {
    const { slowBot, inFlight, release } = heldBot();
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

  it("does not hold shutdown open on a keep-alive connection once its request is answered", async () => {
    const { slowBot, inFlight, release } = heldBot();
    const logged: string[] = [];
    const logger = createLogger("warn", { write: (line: string) => void logged.push(line) });
    const { app } = createTestApp(ctx.db.knex, slowBot);
    const server = await startServer({ app, port: 0, hostname: "127.0.0.1", logger });
    // As Twilio does: the connection stays open for the next request.
    const agent = new Agent({ keepAlive: true });
    const params = inboundParams("+9779812345678", "kept alive");
    const body = new URLSearchParams(params).toString();
    const pending = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          agent,
          host: "127.0.0.1",
          port: server.port,
          method: "POST",
          path: "/webhooks/twilio/whatsapp",
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": Buffer.byteLength(body),
            "X-Twilio-Signature": twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}/webhooks/twilio/whatsapp`, params),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    await inFlight;
    // A grace period the test would notice: the warning below is logged when it runs out.
    const closed = server.close(3_000);
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(twimlMessages(res.text)).toEqual(["done: kept alive"]);
    await closed;
    agent.destroy();
    expect(logged.filter((line) => line.includes("grace period"))).toEqual([]);
  });
});
