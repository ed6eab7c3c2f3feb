// The server over a real socket: request bodies are read straight from Node's request (a declared
// Content-Length is judged from the header), and the 64 KB limit holds both with a length and
// for a body streamed without one.
import { request } from "node:http";
import { createLogger, startServer, type WebhookBot } from "@khaacho/server";
import twilio from "twilio";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { AUTH_TOKEN, createTestApp, inboundParams, PUBLIC_BASE_URL, twimlMessages } from "./support/server-app.js";

const PATH = "/webhooks/twilio/whatsapp";

function post(port: number, body: string, headers: Record<string, string>, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: PATH, headers: { ...headers, ...(chunked ? {} : { "Content-Length": String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    if (chunked) {
      // Without a Content-Length Node sends it chunked: the server must count as it reads.
      for (let i = 0; i < body.length; i += 8192) req.write(body.slice(i, i + 8192));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describeEachDatabase("server: request bodies over a socket", (ctx) => {
  const calls: string[] = [];
  const bot: WebhookBot = {
    async handle(message) {
      calls.push(message.body);
      return { replies: [`got: ${message.body}`], duplicate: false };
    },
  };
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const { app } = createTestApp(ctx.db.knex, bot);
    server = await startServer({ app, port: 0, hostname: "127.0.0.1", logger: createLogger("silent") });
  });
  afterAll(async () => {
    await server.close();
  });

  const signed = (params: Record<string, string>) => ({
    "Content-Type": "application/x-www-form-urlencoded",
    "X-Twilio-Signature": twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}${PATH}`, params),
  });

  it("reads a signed webhook body sent with a length and sent chunked", async () => {
    for (const chunked of [false, true]) {
      const params = inboundParams("+9779812345678", `chamal 2 bora ${chunked ? "chunked" : "with length"} ${"x".repeat(9000)}`);
      const res = await post(server.port, new URLSearchParams(params).toString(), signed(params), chunked);
      expect(res.status).toBe(200);
      expect(twimlMessages(res.text)).toEqual([`got: ${params.Body}`]);
    }
    expect(calls).toHaveLength(2);
  });

  it("refuses a body over 64 KB with 413, declared or streamed, before the bot sees it", async () => {
    const before = calls.length;
    for (const chunked of [false, true]) {
      const params = inboundParams("+9779812345678", "y".repeat(70 * 1024));
      const res = await post(server.port, new URLSearchParams(params).toString(), signed(params), chunked);
      expect(res.status).toBe(413);
    }
    expect(calls.length).toBe(before);
  });
});
