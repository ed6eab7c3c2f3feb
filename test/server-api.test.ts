import { getOrderDetail, getRetailerByCode, placeOrder, retailerStatement } from "@khaacho/db";
import { issueApiToken, type OrderUseCases, type WebhookBot } from "@khaacho/server";
import type { Knex } from "knex";
import { beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { createTestApp, JWT_SECRET } from "./support/server-app.js";

const orders: OrderUseCases = { getRetailerByCode, placeOrder, getOrderDetail, retailerStatement };

const unusedBot: WebhookBot = {
  async handle() {
    throw new Error("the API tests do not talk to the bot");
  },
};

async function seedCatalog(knex: Knex): Promise<void> {
  const [vendor] = (await knex("vendors").insert({ code: "V1", name: "Surkhet Traders", phone: "+9779700000001" }).returning("id")) as { id: number }[];
  const products = [
    { sku: "RICE-25", name: "Rice 25kg", unit: "bag", price_paisa: 210_000 },
    { sku: "OIL-1L", name: "Sunflower Oil 1L", unit: "bottle", price_paisa: 25_000 },
  ];
  for (const p of products) {
    const [row] = (await knex("products").insert(p).returning("id")) as { id: number }[];
    await knex("vendor_products").insert({ vendor_id: vendor!.id, product_id: row!.id, cost_paisa: Math.floor(p.price_paisa * 0.9), stock: 1000 });
  }
  await knex("retailers").insert([
    { code: "R001", name: "Ram Kirana", phone: "+9779811000001", credit_limit_paisa: 100_000_000 },
    { code: "R002", name: "Sita Store", phone: "+9779811000002", credit_limit_paisa: 100_000 },
  ]);
}

describeEachDatabase("server: /api orders and statements", (ctx) => {
  const now = new Date("2026-02-10T06:00:00Z");
  let admin: string;
  let analyst: string;
  beforeAll(async () => {
    await seedCatalog(ctx.db.knex);
    admin = (await issueApiToken(ctx.db.knex, { secret: JWT_SECRET, role: "admin", name: "ops-desk", now })).token;
    analyst = (await issueApiToken(ctx.db.knex, { secret: JWT_SECRET, role: "analyst", name: "reports", now })).token;
  });
  const app = () => createTestApp(ctx.db.knex, unusedBot, { now: () => now, orders }).app;
  const place = (a: ReturnType<typeof app>, key: string | undefined, body: unknown, token = admin) =>
    a.request("/api/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(key ? { "Idempotency-Key": key } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("places an operator order once per Idempotency-Key, in sequence and in parallel, and audits it", async () => {
    const a = app();
    const body = { retailer: "R001", items: [{ sku: "RICE-25", quantity: 1 }] };
    const first = await place(a, "op-1", body);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { order: { number: string } };
    expect(created.order.number).toMatch(/^ORD260210\d{3,}$/);
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");

    const again = await place(a, "op-1", body);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as { order: { number: string } }).order.number).toBe(created.order.number);

    const parallel = await Promise.all(Array.from({ length: 5 }, () => place(a, "op-2", { retailer: "R001", items: [{ sku: "OIL-1L", quantity: 3 }] })));
    const numbers = await Promise.all(parallel.map(async (r) => ({ status: r.status, number: ((await r.json()) as { order: { number: string } }).order.number })));
    expect(new Set(numbers.map((n) => n.status))).toEqual(new Set([201]));
    expect(new Set(numbers.map((n) => n.number)).size).toBe(1);

    const orders = await ctx.db.knex("orders").where({ source: "api" }).count({ n: "*" }).first();
    expect(Number(orders?.n)).toBe(2);
    const audit = await ctx.db.knex("audit_log").where({ action: "order.place" }).orderBy("id");
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^api:ops-desk#\d+$/), entity_type: "order", entity_id: created.order.number });

    const reused = await place(a, "op-1", { retailer: "R001", items: [{ sku: "RICE-25", quantity: 2 }] });
    expect(reused.status).toBe(409);
    // Repeats and a reused key are admin actions too: each is in the audit log.
    const repeats = await ctx.db.knex("audit_log").whereIn("action", ["order.place_replayed", "order.place_key_conflict"]).orderBy("id").select("action", "entity_id");
    expect(repeats.filter((r) => r.action === "order.place_replayed").map((r) => r.entity_id).sort()).toEqual(["op-1", "op-2", "op-2", "op-2", "op-2"]);
    expect(repeats.filter((r) => r.action === "order.place_key_conflict")).toEqual([{ action: "order.place_key_conflict", entity_id: "op-1" }]);
  });

  it("answers 422 with the reason and figures, and the same answer for the same key", async () => {
    const a = app();
    const tooMuch = { retailer: "R002", items: [{ sku: "RICE-25", quantity: 5 }] };
    const refused = await place(a, "op-3", tooMuch);
    expect(refused.status).toBe(422);
    const answer = (await refused.json()) as { error: { reason: string } };
    expect(answer.error.reason).toBe("credit_limit");
    // Raise the limit: the key still returns its first answer.
    await ctx.db.knex("retailers").where({ code: "R002" }).update({ credit_limit_paisa: 100_000_000 });
    const replay = await place(a, "op-3", tooMuch);
    expect(replay.status).toBe(422);
    expect(await replay.json()).toEqual(answer);

    const unknownSku = await place(a, "op-4", { retailer: "R001", items: [{ sku: "NOPE", quantity: 1 }] });
    expect(unknownSku.status).toBe(422);
    expect(((await unknownSku.json()) as { error: { reason: string } }).error.reason).toBe("unknown_sku");
    const unknownRetailer = await place(a, "op-5", { retailer: "R999", items: [{ sku: "RICE-25", quantity: 1 }] });
    expect(unknownRetailer.status).toBe(422);
    expect(await unknownRetailer.json()).toEqual({ error: { reason: "unknown_retailer", retailer: "R999" } });
    expect(await ctx.db.knex("audit_log").where({ action: "order.place_refused" }).count({ n: "*" }).first()).toMatchObject({ n: 3 });
  });

  it("refuses malformed requests with 400 naming the field", async () => {
    const a = app();
    const noKey = await place(a, undefined, { retailer: "R001", items: [{ sku: "RICE-25", quantity: 1 }] });
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ error: { code: "invalid_input", field: "Idempotency-Key" } });
    const badQuantity = await place(a, "op-6", { retailer: "R001", items: [{ sku: "RICE-25", quantity: 1.5 }] });
    expect(await badQuantity.json()).toMatchObject({ error: { code: "invalid_input", field: "items[0].quantity" } });
    const notJson = await place(a, "op-7", "{nope");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { field: "body" } });
  });

  it("shows an order and a statement to analysts, 404 for unknown ones", async () => {
    const a = app();
    const placed = await place(a, "op-8", { retailer: "R001", items: [{ sku: "OIL-1L", quantity: 2 }] });
    const { order } = (await placed.json()) as { order: { number: string } };
    const get = (path: string, token = analyst) => a.request(path, { headers: { Authorization: `Bearer ${token}` } });

    const shown = await get(`/api/orders/${order.number}`);
    expect(shown.status).toBe(200);
    expect(((await shown.json()) as { order: { number: string } }).order.number).toBe(order.number);
    expect((await get("/api/orders/ORD260210999")).status).toBe(404);

    const statement = await get("/api/retailers/R001/statement?from=2026-02-01&to=2026-02-28");
    expect(statement.status).toBe(200);
    expect(await statement.json()).toMatchObject({ retailer: { code: "R001" }, from: "2026-02-01", to: "2026-02-28" });
    const defaults = await get("/api/retailers/R001/statement");
    expect(await defaults.json()).toMatchObject({ from: "2026-01-11", to: "2026-02-10" });
    expect((await get("/api/retailers/R404/statement")).status).toBe(404);
    const badDate = await get("/api/retailers/R001/statement?from=10-02-2026");
    expect(badDate.status).toBe(400);
    expect(await badDate.json()).toMatchObject({ error: { field: "from" } });
    // Three statements were read (two for R001, one for the unknown R404); the malformed request never ran.
    expect(await ctx.db.knex("audit_log").where({ action: "retailer.statement" }).count({ n: "*" }).first()).toMatchObject({ n: 3 });
  });
});
