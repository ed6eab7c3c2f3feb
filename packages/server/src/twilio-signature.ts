import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import twilio from "twilio";

/** Form parameters of a Twilio request (a repeated name gives an array). */
export type TwilioParams = Record<string, string | string[]>;

/** Variables the signature middleware sets on the context. */
export interface TwilioVariables {
  twilioParams: TwilioParams;
}

/**
 * Rejects (403) a request whose `X-Twilio-Signature` does not match the URL Twilio was given —
 * `publicBaseUrl` + the path and query this server sees, so it works behind a proxy — over every
 * form parameter received, known or not. Valid parameters are left on `c.var.twilioParams`.
 */
export function twilioSignature(options: { authToken: string; publicBaseUrl: string }): MiddlewareHandler<{ Variables: TwilioVariables }> {
  const base = options.publicBaseUrl.replace(/\/+$/, "");
  return async function verifyTwilioSignature(c, next) {
    const signature = c.req.header("X-Twilio-Signature");
    if (!signature) throw new HTTPException(403, { message: "missing X-Twilio-Signature" });
    const contentType = c.req.header("Content-Type") ?? "";
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      throw new HTTPException(403, { message: "Twilio webhooks must be application/x-www-form-urlencoded" });
    }
    // URLSearchParams reads the form directly (Request.formData() costs more CPU than the rest of
    // the check), into an object without a prototype, so `constructor` or `__proto__` is a field like any other.
    const params: TwilioParams = Object.create(null) as TwilioParams;
    for (const [name, value] of new URLSearchParams(await c.req.text())) {
      const seen = params[name];
      params[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    const url = new URL(c.req.url);
    if (!twilio.validateRequest(options.authToken, signature, `${base}${url.pathname}${url.search}`, params)) {
      throw new HTTPException(403, { message: "invalid X-Twilio-Signature" });
    }
    c.set("twilioParams", params);
    await next();
  };
}

/** A single-valued parameter (the first when repeated), or undefined. */
export function param(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}
