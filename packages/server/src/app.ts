import { outboxBacklog } from "@khaacho/db";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { Knex } from "knex";
import { apiRoutes, type OrderUseCases } from "./api.js";
import type { WebhookBot } from "./bot.js";
import { healthCheck } from "./health.js";
import { ApiError, errorResponse } from "./http-errors.js";
import type { Logger } from "./logger.js";
import { createMetrics, type Metrics, requestMetrics } from "./metrics.js";
import { SenderRateLimiter } from "./rate-limit.js";
import type { InboundSpool } from "./spool.js";
import { statusWebhook } from "./status-webhook.js";
import { twilioSignature } from "./twilio-signature.js";
import { whatsappWebhook } from "./whatsapp-webhook.js";

/** Bodies larger than this get 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The settings the app reads (a subset of the validated Config, with the secrets present). */
export interface AppSettings {
  twilioAuthToken: string;
  publicBaseUrl: string;
  jwtSecret: string;
  vatRateBasisPoints: number;
  businessTimeZone: string;
  webhookRateLimitPerMinute: number;
}

/** Everything the app uses, passed in: tests give their own database, bot, clock and logger. */
export interface AppDeps {
  knex: Knex;
  settings: AppSettings;
  bot: WebhookBot;
  /** Order placement and queries for `/api` (the functions of the same names in @khaacho/db). */
  orders: OrderUseCases;
  spool: InboundSpool;
  logger: Logger;
  now?: () => Date;
  version?: string;
  startedAt?: Date;
  metrics?: Metrics;
  /** How long the webhook waits for the bot before answering with an apology (default 10 s). */
  handleTimeoutMs?: number;
}

function requestLog(logger: Logger) {
  return async function logRequest(c: Parameters<Parameters<Hono["use"]>[1]>[0], next: () => Promise<void>) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const entry = { method: c.req.method, path: c.req.path, status, ms: Math.round((performance.now() - started) * 10) / 10 };
    if (status >= 500) logger.error(entry, "request");
    else logger.info(entry, "request");
  };
}

/**
 * The HTTP face of Khaacho over Web-standard Request/Response: Twilio webhooks (signed), health,
 * Prometheus metrics, and the bearer-token JSON API. Run it with `startServer` or call
 * `app.request()` in-process.
 */
export function createApp(deps: AppDeps): Hono {
  const now = deps.now ?? (() => new Date());
  const { knex, settings, logger, spool } = deps;
  if (settings.jwtSecret.length < 32) throw new Error("JWT_SECRET must be at least 32 characters");
  const metrics =
    deps.metrics ??
    createMetrics({
      outboxBacklog: () => outboxBacklog(knex),
      ordersPlaced: async () =>
        ((await knex("orders").select("source").count({ count: "*" }).groupBy("source")) as { source: string; count: number | string }[]).map((r) => ({
          source: r.source,
          count: Number(r.count),
        })),
      spooled: () => spool.size,
    });

  const app = new Hono();
  app.onError(errorResponse(logger));
  app.notFound((c) => {
    throw new ApiError(404, "not_found", `no route ${c.req.method} ${c.req.path}`);
  });
  app.use("*", requestMetrics(metrics));
  app.use("*", requestLog(logger));
  // Before the body limit, so that the API's refusals (413, a bad Content-Length) carry them too.
  app.use("/api/*", secureHeaders());
  app.use("*", limitBody(MAX_BODY_BYTES));

  const signed = twilioSignature({ authToken: settings.twilioAuthToken, publicBaseUrl: settings.publicBaseUrl });
  app.post(
    "/webhooks/twilio/whatsapp",
    signed,
    whatsappWebhook({
      knex,
      bot: deps.bot,
      spool,
      rateLimiter: new SenderRateLimiter(settings.webhookRateLimitPerMinute),
      logger,
      metrics,
      now,
      handleTimeoutMs: deps.handleTimeoutMs ?? 10_000,
    }),
  );
  app.post("/webhooks/twilio/status", signed, statusWebhook({ knex, logger, now }));

  app.get("/health", healthCheck({ knex, version: deps.version ?? "0.0.0", startedAt: deps.startedAt ?? now(), now, spooled: () => spool.size }));
  app.get("/metrics", async function renderMetrics(c) {
    return c.body(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType });
  });

  app.route(
    "/api",
    apiRoutes({ knex, orders: deps.orders, jwtSecret: settings.jwtSecret, vatRateBasisPoints: settings.vatRateBasisPoints, businessTimeZone: settings.businessTimeZone, metrics, now }),
  );
  return app;
}

/**
 * 413 for a body over `maxSize`. A declared Content-Length is checked from the header alone, so the
 * body is then read straight from the socket (node-server's fast path); hono's `bodyLimit`, which
 * counts a body sent without a length as it arrives, builds a full fetch Request for every request
 * it looks at, so it is kept for those only.
 */
function limitBody(maxSize: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new HTTPException(413, { message: `request bodies are limited to ${maxSize / 1024} KB` });
  };
  const counting = bodyLimit({ maxSize, onError: tooLarge });
  return async function limitRequestBody(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      const declared = Number(length);
      if (!Number.isSafeInteger(declared) || declared < 0) throw new HTTPException(400, { message: "Content-Length is not a byte count" });
      if (declared > maxSize) tooLarge();
      return next();
    }
    return counting(c, next);
  };
}
