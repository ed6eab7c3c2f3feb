import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@khaacho/cli";
import { openDatabase } from "@khaacho/db";
import { issueApiToken, type WebhookBot } from "@khaacho/server";
import { sign } from "hono/jwt";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { createTestApp, JWT_SECRET } from "./support/server-app.js";

const unusedBot: WebhookBot = {
  async handle() {
    throw new Error("the API tests do not talk to the bot");
  },
};
const ORDER = { retailer: "R001", items: [{ sku: "RICE-25", quantity: 1 }] };

describeEachDatabase("server: API tokens and roles", (ctx) => {
  const now = new Date("2026-02-10T06:00:00Z");
  const post = (app: ReturnType<typeof createTestApp>["app"], token?: string) =>
    app.request("/api/orders", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": "k-1", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(ORDER),
    });

  it("answers 401 without a valid token, with security headers", async () => {
    const { app } = createTestApp(ctx.db.knex, unusedBot, { now: () => now });
    const none = await post(app);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect(none.headers.get("x-content-type-options")).toBe("nosniff");
    expect(none.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(none.headers.get("strict-transport-security")).toMatch(/max-age=/);

    expect((await post(app, "not.a.jwt")).status).toBe(401);
    const otherSecret = await sign({ iss: "khaacho", sub: "x", role: "admin", jti: "made-up" }, "another-secret-another-secret-another", "HS256");
    expect((await post(app, otherSecret)).status).toBe(401);
    // Right secret, but never issued (no api_tokens row): still refused.
    const forged = await sign({ iss: "khaacho", sub: "x", role: "admin", jti: "never-issued" }, JWT_SECRET, "HS256");
    expect((await post(app, forged)).status).toBe(401);
  });

  it("answers 403 to an analyst on an admin endpoint, 401 once a token is revoked or expired", async () => {
    const { app } = createTestApp(ctx.db.knex, unusedBot, { now: () => now });
    const analyst = await issueApiToken(ctx.db.knex, { secret: JWT_SECRET, role: "analyst", name: "reports", now });
    const forbidden = await post(app, analyst.token);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: "forbidden" } });
    // The refused attempt is in the audit log, with the route and the roles it needs.
    expect(await ctx.db.knex("audit_log").where({ action: "denied" }).select("actor", "entity_id", "details")).toEqual([
      { actor: `api:reports#${analyst.record.id}`, entity_id: "POST /api/orders", details: { role: "analyst", needs: ["admin"] } },
    ]);

    // A token whose role claim was changed does not match its record.
    const admin = await issueApiToken(ctx.db.knex, { secret: JWT_SECRET, role: "admin", name: "ops", now });
    const promoted = await sign({ iss: "khaacho", sub: "reports", role: "admin", jti: analyst.record.jti, iat: 1 }, JWT_SECRET, "HS256");
    expect((await post(app, promoted)).status).toBe(401);

    await ctx.db.knex("api_tokens").where({ id: admin.record.id }).update({ revoked_at: now });
    expect((await post(app, admin.token)).status).toBe(401);

    const shortLived = await issueApiToken(ctx.db.knex, { secret: JWT_SECRET, role: "admin", name: "temp", now: new Date(Date.now() - 3 * 86_400_000), expiresInDays: 1 });
    expect((await post(app, shortLived.token)).status).toBe(401);
  });

  it("refuses to build the app or issue tokens with a JWT secret under 32 characters", async () => {
    expect(() => createTestApp(ctx.db.knex, unusedBot, { settings: { jwtSecret: "short" } })).toThrow(/JWT_SECRET must be at least 32 characters/);
    await expect(issueApiToken(ctx.db.knex, { secret: "short", role: "admin", name: "x", now })).rejects.toThrow(/JWT_SECRET/);
    await expect(issueApiToken(ctx.db.knex, { secret: JWT_SECRET, role: "root", name: "x", now })).rejects.toThrow(/--role must be one of admin, analyst/);
  });
});

it("khaacho token create | list | revoke issues tokens the server accepts and then refuses", async () => {
  const dir = mkdtempSync(join(tmpdir(), "khaacho-token-"));
  const env = { JWT_SECRET, KHAACHO_DATA_DIR: join(dir, "data") };
  const out: string[] = [];
  const err: string[] = [];
  const output = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
  const run = (...argv: string[]) => main(["node", "khaacho", ...argv], { cwd: dir, env, output, interactive: false });

  expect(await run("token", "create", "--role", "analyst", "--name", "dashboard", "--json")).toBe(0);
  const created = JSON.parse(out.pop()!) as { id: number; token: string; role: string; name: string };
  expect(created).toMatchObject({ role: "analyst", name: "dashboard" });
  expect(await run("token", "create", "--role", "owner")).toBe(2);
  expect(await run("token", "create", "--role", "admin")).toBe(0);
  expect(out.pop()).toMatch(/^Created admin token #2 "admin-\d{4}-\d{2}-\d{2}"/);
  expect(await run("token", "create", "--role", "admin", "--json", "--days", "x")).toBe(2);
  out.length = 0;

  // The server side, on the same embedded database.
  const db = await openDatabase({ dataDir: env.KHAACHO_DATA_DIR });
  try {
    const { app } = createTestApp(db.knex, unusedBot);
    const request = () =>
      app.request("/api/orders", { method: "POST", headers: { Authorization: `Bearer ${created.token}`, "Idempotency-Key": "x" }, body: "{}" });
    expect((await request()).status).toBe(403);
    await db.close();

    expect(await run("token", "revoke", String(created.id))).toBe(0);
    expect(out.pop()).toMatch(/^Revoked analyst token #1 "dashboard"/);
    expect(await run("token", "revoke", "999")).toBe(1);
    expect(await run("token", "list")).toBe(0);
    expect(out.pop()).toMatch(/ID\s+NAME\s+ROLE[\s\S]*dashboard\s+analyst/);

    const reopened = await openDatabase({ dataDir: env.KHAACHO_DATA_DIR });
    try {
      const { app: again } = createTestApp(reopened.knex, unusedBot);
      const res = await again.request("/api/orders", { method: "POST", headers: { Authorization: `Bearer ${created.token}`, "Idempotency-Key": "x" }, body: "{}" });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { message: "the bearer token has been revoked" } });
    } finally {
      await reopened.close();
    }
  } finally {
    await db.close().catch(() => undefined);
  }

  const short = await main(["node", "khaacho", "token", "create", "--role", "admin"], { cwd: dir, env: { ...env, JWT_SECRET: "short" }, output, interactive: false });
  expect(short).toBe(1);
  expect(err.pop()).toMatch(/JWT_SECRET must be at least 32 characters/);
  const missing = await main(["node", "khaacho", "token", "create", "--role", "admin"], { cwd: dir, env: { KHAACHO_DATA_DIR: env.KHAACHO_DATA_DIR }, output, interactive: false });
  expect(missing).toBe(1);
  expect(err.pop()).toMatch(/JWT_SECRET is required by khaacho token create/);
});
