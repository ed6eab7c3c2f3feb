import { normalizePhone } from "@khaacho/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Knex } from "knex";
import type { InboundWhatsAppMessage, WebhookBot } from "./bot.js";
import { APOLOGY_REPLY } from "./http-errors.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { SenderRateLimiter } from "./rate-limit.js";
import type { InboundSpool } from "./spool.js";
import { param, type TwilioVariables } from "./twilio-signature.js";
import { renderTwiml } from "./twiml.js";

/** The reply to a sender over the per-minute limit; the message itself is not processed. */
export const SLOW_DOWN_REPLY =
  "You are sending messages faster than we can read them. Please wait a minute, then send your order again in one message.";

/** The reply when the message is kept safely but could not be processed yet. */
export const KEPT_REPLY = "Sorry, we are having a problem on our side. We have your message and will reply here as soon as it is fixed.";

/** What the WhatsApp webhook handler needs. */
export interface WhatsAppWebhookDeps {
  knex: Knex;
  bot: WebhookBot;
  spool: InboundSpool;
  rateLimiter: SenderRateLimiter;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  /** Twilio gives up after 15 s; answer before that and finish the message from the spool. */
  handleTimeoutMs: number;
}

function twimlResponse(c: Context, replies: readonly string[]): Response {
  return c.body(renderTwiml(replies), 200, { "Content-Type": "text/xml; charset=utf-8" });
}

class HandleTimeout extends Error {
  override readonly name = "HandleTimeout";
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HandleTimeout(`the bot did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `POST /webhooks/twilio/whatsapp` (after the signature check): rate limit per sender, hand the
 * message to the bot, answer its replies as TwiML. Any failure is logged with the MessageSid,
 * the message is kept in the spool to be finished later, and the retailer gets an apology —
 * Twilio never sees a 5xx.
 */
export function whatsappWebhook(deps: WhatsAppWebhookDeps) {
  return async function receiveWhatsAppMessage(c: Context<{ Variables: TwilioVariables }>): Promise<Response> {
    const params = c.get("twilioParams");
    const messageSid = param(params, "MessageSid") ?? param(params, "SmsMessageSid");
    if (!messageSid) throw new HTTPException(400, { message: "MessageSid is missing" });
    const from = param(params, "From") ?? "";
    const phone = normalizePhone(from);
    if (!phone.ok) {
      deps.logger.warn({ messageSid, from, reason: phone.reason }, "inbound message from an unusable number ignored");
      deps.metrics.whatsappMessages.inc({ outcome: "ignored" });
      return twimlResponse(c, []);
    }
    const numMedia = Number.parseInt(param(params, "NumMedia") ?? "0", 10);
    const message: InboundWhatsAppMessage = {
      messageSid,
      phone: phone.phone,
      body: param(params, "Body") ?? "",
      profileName: param(params, "ProfileName") || undefined,
      numMedia: Number.isFinite(numMedia) && numMedia > 0 ? numMedia : 0,
      receivedAt: deps.now(),
    };

    if (!deps.rateLimiter.allow(message.phone, messageSid, message.receivedAt.getTime())) {
      deps.metrics.whatsappMessages.inc({ outcome: "rate_limited" });
      deps.logger.warn({ messageSid, phone: message.phone }, "sender over the per-minute limit; message not processed");
      await recordRateLimited(deps, message).catch((error: unknown) =>
        deps.logger.warn({ err: error, messageSid }, "could not record a rate-limited message"),
      );
      return twimlResponse(c, [SLOW_DOWN_REPLY]);
    }

    // Earlier messages of this phone are waiting in the spool: this one waits behind them.
    if (deps.spool.has(message.phone)) return keep(c, deps, message);

    try {
      const result = await withTimeout(deps.bot.handle(message), deps.handleTimeoutMs);
      deps.metrics.whatsappMessages.inc({ outcome: result.duplicate ? "duplicate" : "processed" });
      return twimlResponse(c, result.replies);
    } catch (error) {
      deps.logger.error({ err: error, messageSid, phone: message.phone }, "inbound message could not be processed now; keeping it");
      return keep(c, deps, message);
    }
  };
}

async function keep(c: Context, deps: WhatsAppWebhookDeps, message: InboundWhatsAppMessage): Promise<Response> {
  try {
    await deps.spool.put({ message, failures: 0 });
    deps.metrics.whatsappMessages.inc({ outcome: "spooled" });
    return twimlResponse(c, [KEPT_REPLY]);
  } catch (error) {
    deps.metrics.whatsappMessages.inc({ outcome: "failed" });
    deps.logger.error({ err: error, messageSid: message.messageSid }, "inbound message lost: neither processed nor spooled");
    return twimlResponse(c, [APOLOGY_REPLY]);
  }
}

// The schema keeps rate-limited messages for the record; a retry of the same MessageSid finds it.
async function recordRateLimited(deps: WhatsAppWebhookDeps, message: InboundWhatsAppMessage): Promise<void> {
  await deps
    .knex("inbound_messages")
    .insert({
      message_sid: message.messageSid,
      phone: message.phone,
      body: message.body,
      num_media: message.numMedia,
      status: "rate_limited",
      replies: JSON.stringify([SLOW_DOWN_REPLY]),
      received_at: message.receivedAt,
      processed_at: message.receivedAt,
    })
    .onConflict("message_sid")
    .ignore();
}
