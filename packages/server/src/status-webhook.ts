import { deliveryStatusFromProvider, recordDeliveryStatus } from "@khaacho/db";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Knex } from "knex";
import type { Logger } from "./logger.js";
import { param, type TwilioVariables } from "./twilio-signature.js";

/**
 * `POST /webhooks/twilio/status` (after the signature check): records a delivery callback on the
 * outbox row with that MessageSid, never moving a row backwards. Always 204 for a well-formed
 * callback, even about a message we do not know, so Twilio does not keep calling.
 */
export function statusWebhook(deps: { knex: Knex; logger: Logger; now: () => Date }) {
  return async function receiveDeliveryStatus(c: Context<{ Variables: TwilioVariables }>): Promise<Response> {
    const params = c.get("twilioParams");
    const providerSid = param(params, "MessageSid") ?? param(params, "SmsSid");
    const providerStatus = param(params, "MessageStatus") ?? param(params, "SmsStatus");
    if (!providerSid || !providerStatus) throw new HTTPException(400, { message: "MessageSid and MessageStatus are required" });
    const status = deliveryStatusFromProvider(providerStatus);
    if (status === undefined) {
      deps.logger.info({ providerSid, providerStatus }, "status callback ignored: not a delivery status");
      return c.body(null, 204);
    }
    const errorCode = param(params, "ErrorCode");
    const errorMessage = param(params, "ErrorMessage");
    const error = errorCode || errorMessage ? `Twilio error ${errorCode ?? "?"}${errorMessage ? `: ${errorMessage}` : ""}` : undefined;
    const outcome = await recordDeliveryStatus(deps.knex, { providerSid, status, error, now: deps.now() });
    if (outcome === "unknown_sid") deps.logger.warn({ providerSid, providerStatus }, "status callback for a message not in the outbox");
    return c.body(null, 204);
  };
}
