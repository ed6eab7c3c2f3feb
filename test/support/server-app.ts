// Building the server app for tests: a fresh spool, a captured log, Twilio-signed requests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppSettings, createApp, createLogger, InboundSpool, type OrderUseCases, type WebhookBot } from "@khaacho/server";
import type { Hono } from "hono";
import type { Knex } from "knex";
import twilio from "twilio";

export const AUTH_TOKEN = "0123456789abcdef0123456789abcdef";
export const PUBLIC_BASE_URL = "https://khaacho.example.com";
export const JWT_SECRET = "test-secret-that-is-at-least-32-characters-long";

export const settings: AppSettings = {
  twilioAuthToken: AUTH_TOKEN,
  publicBaseUrl: PUBLIC_BASE_URL,
  jwtSecret: JWT_SECRET,
  vatRateBasisPoints: 1300,
  businessTimeZone: "Asia/Kathmandu",
  webhookRateLimitPerMinute: 30,
};

export interface LogLine {
  level: number;
  msg: string;
  messageSid?: string;
  [key: string]: unknown;
}

export interface TestApp {
  app: Hono;
  spool: InboundSpool;
  logs: LogLine[];
}

export function createTestApp(
  knex: Knex,
  bot: WebhookBot,
  options: { settings?: Partial<AppSettings>; now?: () => Date; spoolDir?: string; handleTimeoutMs?: number; orders?: OrderUseCases } = {},
): TestApp {
  const logs: LogLine[] = [];
  const logger = createLogger("info", { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const spool = new InboundSpool(options.spoolDir ?? mkdtempSync(join(tmpdir(), "khaacho-spool-")));
  const app = createApp({
    knex,
    settings: { ...settings, ...options.settings },
    bot,
    orders: options.orders ?? ordersNotReached,
    spool,
    logger,
    version: "test",
    ...(options.now ? { now: options.now } : {}),
    ...(options.handleTimeoutMs ? { handleTimeoutMs: options.handleTimeoutMs } : {}),
  });
  return { app, spool, logs };
}

// For tests that never get past authentication or the webhooks: any call here is a test bug.
const notReached = async (): Promise<never> => {
  throw new Error("this test was not expected to reach the order use-cases");
};
export const ordersNotReached: OrderUseCases = {
  getRetailerByCode: notReached,
  placeOrder: notReached,
  getOrderDetail: notReached,
  retailerStatement: notReached,
};

let sidCounter = 0;
/** A fresh Twilio-looking MessageSid. */
export function newMessageSid(): string {
  sidCounter++;
  return `SM${Date.now().toString(16)}${sidCounter.toString(16).padStart(8, "0")}`.padEnd(34, "0").slice(0, 34);
}

/** The form parameters Twilio sends for an inbound WhatsApp text. */
export function inboundParams(phone: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  const sid = extra.MessageSid ?? newMessageSid();
  return {
    SmsMessageSid: sid,
    NumMedia: "0",
    ProfileName: "Test Shop",
    MessageType: "text",
    SmsSid: sid,
    WaId: phone.replace(/^\+/, ""),
    SmsStatus: "received",
    Body: body,
    To: "whatsapp:+14155238886",
    NumSegments: "1",
    ReferralNumMedia: "0",
    MessageSid: sid,
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    From: `whatsapp:${phone}`,
    ApiVersion: "2010-04-01",
    ...extra,
  };
}

/** POSTs form `params` to `path`, signed by the twilio library for `signedUrl` (default: PUBLIC_BASE_URL + path). */
export function postSigned(
  app: Hono,
  path: string,
  params: Record<string, string>,
  options: { signedUrl?: string; authToken?: string; signature?: string | null; extraBody?: Record<string, string> } = {},
): Promise<Response> {
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(options.authToken ?? AUTH_TOKEN, options.signedUrl ?? `${PUBLIC_BASE_URL}${path}`, params)
      : options.signature;
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (signature !== null) headers["X-Twilio-Signature"] = signature;
  return Promise.resolve(app.request(path, { method: "POST", headers, body: new URLSearchParams({ ...params, ...options.extraBody }).toString() }));
}

/** The `<Message>` texts of a TwiML answer. */
export function twimlMessages(xml: string): string[] {
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    (m[1] ?? "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&"),
  );
}
