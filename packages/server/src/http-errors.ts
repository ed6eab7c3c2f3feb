import { DomainError, type ErrorCode } from "@khaacho/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "./logger.js";
import { renderTwiml } from "./twiml.js";

/**
 * An HTTP error with a machine-readable code and the figures behind it; `app.onError` turns it
 * (and every other error) into a response in one place.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(status, { message });
  }
}

const STATUS_BY_CODE: Readonly<Partial<Record<ErrorCode, ContentfulStatusCode>>> = {
  invalid_input: 400,
  invalid_csv: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  credit_limit: 422,
  out_of_stock: 422,
  unknown_sku: 422,
  retailer_suspended: 422,
  database_locked: 503,
  database_unavailable: 503,
};

/** What Twilio gets when something failed inside: never a 5xx, which it would report and not deliver. */
export const APOLOGY_REPLY = "Sorry, something went wrong on our side. Please send your message again in a few minutes.";

function isTwilioWebhook(c: Context): boolean {
  return c.req.path.startsWith("/webhooks/twilio/");
}

/**
 * The one mapping from errors to responses: ApiError/HTTPException keep their status, DomainError
 * codes map to a status, anything else is a logged 500 — except on the Twilio webhooks, where a
 * failure becomes a short apology in TwiML with status 200.
 */
export function errorResponse(logger: Logger) {
  return function respondToError(error: Error, c: Context): Response {
    let status: ContentfulStatusCode = 500;
    let code = "internal";
    let message = "internal server error";
    let details: Record<string, unknown> = {};
    if (error instanceof ApiError) {
      ({ status, code, details } = error);
      message = error.message;
    } else if (error instanceof HTTPException) {
      status = error.status as ContentfulStatusCode;
      code = status === 413 ? "payload_too_large" : `http_${status}`;
      message = error.message || "request failed";
      if (error.res && !isTwilioWebhook(c)) return error.res;
    } else if (error instanceof DomainError) {
      status = STATUS_BY_CODE[error.code] ?? 500;
      code = error.code;
      message = error.message;
      details = error.details;
    }
    if (status >= 500) logger.error({ err: error, path: c.req.path, method: c.req.method }, "request failed");
    if (isTwilioWebhook(c)) {
      if (status >= 500) return c.body(renderTwiml([APOLOGY_REPLY]), 200, { "Content-Type": "text/xml; charset=utf-8" });
      return c.text(message, status);
    }
    return c.json({ error: { code, message, ...details } }, status);
  };
}
