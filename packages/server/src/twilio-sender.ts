import { type OutboundMessage, type OutboxSender, OutboxSendError } from "@khaacho/db";
import twilio from "twilio";

/**
 * Sends outbox messages through Twilio's Messages API from the WhatsApp number. Twilio's 4xx
 * answers (bad number, unapproved template, ...) are permanent except 429; the rest are retried.
 */
export function createTwilioSender(options: {
  accountSid: string;
  authToken: string;
  from: string;
  /** Where Twilio reports delivery: PUBLIC_BASE_URL + /webhooks/twilio/status. */
  statusCallback?: string | undefined;
  /** The twilio library's HTTP client (its default, unless given: a proxy's, say, or a fake). */
  httpClient?: twilio.RequestClient | undefined;
}): OutboxSender {
  const client = twilio(options.accountSid, options.authToken, options.httpClient ? { httpClient: options.httpClient } : {});
  return {
    async send(message: OutboundMessage) {
      const common = { from: options.from, to: `whatsapp:${message.to}`, ...(options.statusCallback ? { statusCallback: options.statusCallback } : {}) };
      try {
        const sent =
          message.kind === "text"
            ? await client.messages.create({ ...common, body: message.body })
            : await client.messages.create({ ...common, contentSid: message.contentSid, contentVariables: JSON.stringify(message.contentVariables) });
        return { providerSid: sent.sid };
      } catch (error) {
        const { status, code, message: text } = error as { status?: number; code?: number; message?: string };
        const permanent = typeof status === "number" && status >= 400 && status < 500 && status !== 429;
        throw new OutboxSendError(`Twilio ${status ?? "error"}${code ? ` (code ${code})` : ""}: ${text ?? String(error)}`, permanent);
      }
    },
  };
}
