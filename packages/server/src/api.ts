import { createHash } from "node:crypto";
import { businessDate, addDays } from "@khaacho/core";
import { type ApiRole, type Executor, inTransaction } from "@khaacho/db";
import { Hono } from "hono";
import type { Knex } from "knex";
import { auditApiAction } from "./audit.js";
import { type AuthVariables, bearerAuth, requireRole } from "./auth.js";
import { ApiError } from "./http-errors.js";
import type { Metrics } from "./metrics.js";

/** A refusal from order placement: the reason and the figures behind it. */
export interface OrderRefusal {
  reason: string;
  [figure: string]: unknown;
}

/**
 * The order use-cases the API calls (from @khaacho/db), passed in so the HTTP layer holds no
 * business rules of its own.
 */
export interface OrderUseCases {
  getRetailerByCode(executor: Executor, code: string): Promise<{ id: number; code: string; name: string } | undefined>;
  placeOrder(
    executor: Executor,
    input: {
      retailerId: number;
      lines: { sku: string; quantity: number }[];
      idempotencyKey: string;
      source: "api";
      actor: string;
      now: Date;
      vatRateBasisPoints: number;
      timeZone: string;
    },
  ): Promise<{ ok: true; order: object; replayed: boolean } | { ok: false; refusal: OrderRefusal }>;
  /** `asOf` dates the days past due: the app's clock and business time zone. */
  getOrderDetail(executor: Executor, number: string, asOf: { now: Date; timeZone: string }): Promise<object | undefined | null>;
  retailerStatement(executor: Executor, query: { retailerId: number; from: string; to: string }): Promise<object>;
}

/** What the `/api` routes need. */
export interface ApiDeps {
  knex: Knex;
  orders: OrderUseCases;
  jwtSecret: string;
  vatRateBasisPoints: number;
  businessTimeZone: string;
  metrics: Metrics;
  now: () => Date;
}

/** The body of `POST /api/orders` (contract). */
export interface ApiOrderRequest {
  retailer: string;
  items: { sku: string; quantity: number }[];
}

/** Checks a `POST /api/orders` body; throws a 400 naming the first bad field. */
export function parseOrderRequest(body: unknown): ApiOrderRequest {
  const bad = (field: string, why: string): never => {
    throw new ApiError(400, "invalid_input", `${field} ${why}`, { field });
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) return bad("body", 'must be a JSON object like {"retailer":"CODE","items":[{"sku":"...","quantity":1}]}');
  const { retailer, items } = body as Record<string, unknown>;
  if (typeof retailer !== "string" || retailer.trim() === "") return bad("retailer", "must be a retailer code (a non-empty string)");
  if (!Array.isArray(items) || items.length === 0) return bad("items", "must be a non-empty array of {sku, quantity}");
  if (items.length > 200) return bad("items", `may have at most 200 lines (got ${items.length})`);
  const lines = items.map((item: unknown, i) => {
    if (typeof item !== "object" || item === null) return bad(`items[${i}]`, "must be an object {sku, quantity}");
    const { sku, quantity } = item as Record<string, unknown>;
    if (typeof sku !== "string" || sku.trim() === "") return bad(`items[${i}].sku`, "must be a non-empty string");
    if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > 1_000_000) {
      return bad(`items[${i}].quantity`, `must be a whole number from 1 to 1000000 (got ${JSON.stringify(quantity)})`);
    }
    return { sku: sku.trim(), quantity };
  });
  return { retailer: retailer.trim(), items: lines };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateParam(value: string | undefined, name: string, fallback: string): string {
  if (value === undefined || value === "") return fallback;
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new ApiError(400, "invalid_input", `${name} must be a date like 2026-02-10 (got "${value}")`, { field: name });
  }
  return value;
}

interface StoredAnswer {
  request_hash: string;
  status: number;
  response: unknown;
}

/**
 * `/api`: bearer-token JSON endpoints. `POST /orders` (admin) places an operator order once per
 * `Idempotency-Key`; `GET /orders/:number` and `GET /retailers/:code/statement` (admin, analyst).
 * Every call is written to audit_log.
 */
export function apiRoutes(deps: ApiDeps): Hono<{ Variables: AuthVariables }> {
  const api = new Hono<{ Variables: AuthVariables }>();
  api.use("*", bearerAuth({ knex: deps.knex, secret: deps.jwtSecret, now: deps.now }));
  // A refused attempt is an action too: recorded with the route and the roles it needs.
  const allow = (...roles: ApiRole[]) =>
    requireRole(roles, (principal, route) =>
      auditApiAction(deps.knex, principal, { action: "denied", entityType: "route", entityId: route, details: { needs: roles }, now: deps.now() }),
    );

  api.post("/orders", allow("admin"), async function placeApiOrder(c) {
    const principal = c.get("principal");
    const key = c.req.header("Idempotency-Key")?.trim();
    if (!key) throw new ApiError(400, "invalid_input", "the Idempotency-Key header is required (any unique string per order, e.g. a UUID)", { field: "Idempotency-Key" });
    if (key.length > 200) throw new ApiError(400, "invalid_input", "the Idempotency-Key header may be at most 200 characters", { field: "Idempotency-Key" });
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError(400, "invalid_input", "the body must be JSON", { field: "body" });
    }
    const request = parseOrderRequest(body);
    const requestHash = createHash("sha256").update(JSON.stringify(request)).digest("hex");

    // A repeat is audited as one (the first request's row says what it did); a key reused for
    // another request is audited as refused.
    const answer = async (stored: StoredAnswer) => {
      const reused = stored.request_hash !== requestHash;
      await auditApiAction(deps.knex, principal, {
        action: reused ? "order.place_key_conflict" : "order.place_replayed",
        entityType: "idempotency_key",
        entityId: key,
        details: reused ? { request } : { status: stored.status },
        now: deps.now(),
      });
      if (reused) {
        throw new ApiError(409, "conflict", "this Idempotency-Key was already used for a different request", { field: "Idempotency-Key" });
      }
      deps.metrics.apiOrders.inc({ outcome: "replayed" });
      c.header("Idempotent-Replayed", "true");
      return c.json(stored.response as object, stored.status as 201 | 422);
    };
    const previous = (await deps.knex("api_idempotency_keys").where({ key }).first("request_hash", "status", "response")) as StoredAnswer | undefined;
    if (previous) return answer(previous);

    const now = deps.now();
    const outcome = await inTransaction(deps.knex, async (trx) => {
      const retailer = await deps.orders.getRetailerByCode(trx, request.retailer);
      let status: 201 | 422;
      let response: Record<string, unknown>;
      if (!retailer) {
        status = 422;
        response = { error: { reason: "unknown_retailer", retailer: request.retailer } };
      } else {
        const result = await deps.orders.placeOrder(trx, {
          retailerId: retailer.id,
          lines: request.items,
          idempotencyKey: `api:${key}`,
          source: "api",
          actor: `api:${principal.name}#${principal.tokenId}`,
          now,
          vatRateBasisPoints: deps.vatRateBasisPoints,
          timeZone: deps.businessTimeZone,
        });
        if (result.ok) {
          status = 201;
          response = { order: result.order };
        } else {
          status = 422;
          response = { error: { ...result.refusal } };
        }
      }
      const inserted = (await trx("api_idempotency_keys")
        .insert({ key, route: "POST /api/orders", request_hash: requestHash, status, response: JSON.stringify(response), token_id: principal.tokenId, created_at: now })
        .onConflict("key")
        .ignore()
        .returning("key")) as unknown[];
      // A concurrent request with the same key answered first: give its answer.
      if (inserted.length === 0) return { stored: (await trx("api_idempotency_keys").where({ key }).first("request_hash", "status", "response")) as StoredAnswer };
      const order = status === 201 ? (response.order as { number?: string }) : undefined;
      await auditApiAction(trx, principal, {
        action: status === 201 ? "order.place" : "order.place_refused",
        entityType: status === 201 ? "order" : "retailer",
        entityId: order?.number ?? request.retailer,
        details: { idempotencyKey: key, request, ...(status === 422 ? { refusal: response.error } : {}) },
        now,
      });
      return { status, response };
    });
    if ("stored" in outcome) return answer(outcome.stored as StoredAnswer);
    deps.metrics.apiOrders.inc({ outcome: outcome.status === 201 ? "placed" : "refused" });
    return c.json(outcome.response, outcome.status);
  });

  api.get("/orders/:number", allow("admin", "analyst"), async function showApiOrder(c) {
    const number = c.req.param("number");
    const order = await deps.orders.getOrderDetail(deps.knex, number, { now: deps.now(), timeZone: deps.businessTimeZone });
    await auditApiAction(deps.knex, c.get("principal"), { action: "order.show", entityType: "order", entityId: number, details: { found: Boolean(order) }, now: deps.now() });
    if (!order) throw new ApiError(404, "not_found", `no order ${number}`, { number });
    return c.json({ order });
  });

  // `:code` is the retailer's code (what operators and the CLI use), not the internal row id.
  api.get("/retailers/:code/statement", allow("admin", "analyst"), async function showApiStatement(c) {
    const code = c.req.param("code");
    const today = businessDate(deps.now(), deps.businessTimeZone);
    const to = dateParam(c.req.query("to"), "to", today);
    const from = dateParam(c.req.query("from"), "from", addDays(to, -30));
    if (from > to) throw new ApiError(400, "invalid_input", `from (${from}) must not be after to (${to})`, { field: "from" });
    const retailer = await deps.orders.getRetailerByCode(deps.knex, code);
    await auditApiAction(deps.knex, c.get("principal"), { action: "retailer.statement", entityType: "retailer", entityId: code, details: { from, to, found: Boolean(retailer) }, now: deps.now() });
    if (!retailer) throw new ApiError(404, "not_found", `no retailer with code ${code}`, { retailer: code });
    const statement = await deps.orders.retailerStatement(deps.knex, { retailerId: retailer.id, from, to });
    return c.json({ retailer: { code: retailer.code, name: retailer.name }, from, to, statement });
  });

  return api;
}
