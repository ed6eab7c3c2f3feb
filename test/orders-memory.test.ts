// Placement from what earlier reads left in memory: one round trip, and never a decision on
// anything that changed since (prices, offers, vendors, retailer names, stock, credit).
import { changeOrderStatus, placeOrder, verifyLedger } from "@khaacho/db";
import type { Knex } from "knex";
import { expect, it } from "vitest";
import { createTestDatabase, describeEachDatabase } from "./support/databases.js";
import { insertOffer, insertProduct, insertRetailer, insertVendor, placementFootprint } from "./support/order-fixtures.js";

const TZ = "Asia/Kathmandu";
const base = { source: "cli" as const, actor: "test", vatRateBasisPoints: 1300, timeZone: TZ };
const NOW = new Date("2026-03-04T06:00:00Z");

// Statements a placement sent, counted from knex's query events. On a server, placement talks to
// its connection directly (pipeline.ts) and knex sees nothing, so counts are asserted only on the
// embedded database, which runs the same placement code through knex.
async function statementsOf<T>(knex: Knex, fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const count = () => statements++;
  knex.on("query", count);
  try {
    const result = await fn();
    return { result, statements };
  } finally {
    knex.off("query", count);
  }
}

async function twoVendorCatalog(knex: Knex, stock = 100) {
  const dear = await insertVendor(knex);
  const cheap = await insertVendor(knex);
  const tea = await insertProduct(knex, { pricePaisa: 10000, name: "Tea 500g" });
  const salt = await insertProduct(knex, { pricePaisa: 2000, name: "Salt 1kg" });
  await insertOffer(knex, { vendorId: dear.id, productId: tea.id, costPaisa: 9000, stock });
  await insertOffer(knex, { vendorId: dear.id, productId: salt.id, costPaisa: 1800, stock });
  await insertOffer(knex, { vendorId: cheap.id, productId: tea.id, costPaisa: 8500, stock });
  await insertOffer(knex, { vendorId: cheap.id, productId: salt.id, costPaisa: 1700, stock });
  const retailer = await insertRetailer(knex, { limitPaisa: 10_000_000 });
  return { dear, cheap, tea, salt, retailer };
}

describeEachDatabase("order placement from memory", (ctx) => {
  it("once a retailer and the products have been read, a placement is one statement", async () => {
    const knex = ctx.db.knex;
    const { tea, salt, retailer, cheap } = await twoVendorCatalog(knex);
    const place = (quantity: number, key?: string) =>
      statementsOf(knex, () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: tea.sku, quantity }, { sku: salt.sku, quantity: 1 }], idempotencyKey: key, now: NOW }));
    const first = await place(1);
    expect(first.result.ok).toBe(true);
    const second = await place(2, "memory-key-1");
    if (ctx.target === "pglite") expect([first.statements > 1, second.statements]).toEqual([true, 1]);
    expect(second.result).toMatchObject({ ok: true, replayed: false, order: { vendor: { code: cheap.code }, subtotalPaisa: 2 * 10000 + 2000, totalPaisa: 24860 } });
    const again = await place(2, "memory-key-1");
    expect(again.result).toMatchObject({ ok: true, replayed: true, order: { number: second.result.ok ? second.result.order.number : "" } });
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });

  it("a vendor's record moving keeps what placements remember; a vendor renamed does not", async () => {
    const knex = ctx.db.knex;
    const { tea, retailer, cheap } = await twoVendorCatalog(knex);
    const version = async () => ((await knex("catalog_version").first("version")) as { version: number }).version;
    const place = () => statementsOf(knex, () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: tea.sku, quantity: 1 }], now: NOW }));
    const first = await place();
    if (!first.result.ok) throw new Error("not placed");
    const before = await version();
    await changeOrderStatus(knex, { number: first.result.order.number, action: "reject", actor: "vendor", now: NOW, timeZone: TZ });
    expect(await version()).toBe(before);
    const second = await place();
    if (ctx.target === "pglite") expect(second.statements).toBe(1);
    await knex("vendors").where({ id: cheap.id }).update({ name: "Cheap Traders Pvt Ltd" });
    expect(await version()).toBeGreaterThan(before);
    expect((await place()).result).toMatchObject({ ok: true, order: { vendor: { name: "Cheap Traders Pvt Ltd" } } });
  });

  it("a price changed since the last read is the price charged", async () => {
    const knex = ctx.db.knex;
    const { tea, retailer } = await twoVendorCatalog(knex);
    const place = () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: tea.sku, quantity: 1 }], now: NOW });
    expect(await place()).toMatchObject({ ok: true, order: { subtotalPaisa: 10000 } });
    await knex("products").where({ id: tea.id }).update({ price_paisa: 11000 });
    expect(await place()).toMatchObject({ ok: true, order: { subtotalPaisa: 11000, vatPaisa: 1430, totalPaisa: 12430 } });
    const item = await knex("order_items").where({ product_id: tea.id }).orderBy("id", "desc").first("unit_price_paisa");
    expect(item?.unit_price_paisa).toBe(11000);
  });

  it("a new cheaper offer, a re-costed offer and a deactivated vendor all change the vendor chosen", async () => {
    const knex = ctx.db.knex;
    const { tea, dear, cheap, retailer } = await twoVendorCatalog(knex);
    const place = () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: tea.sku, quantity: 1 }], now: NOW });
    const vendorOf = async () => {
      const r = await place();
      if (!r.ok) throw new Error(JSON.stringify(r.refusal));
      return r.order.vendor.code;
    };
    expect(await vendorOf()).toBe(cheap.code);
    const cheapest = await insertVendor(knex);
    await insertOffer(knex, { vendorId: cheapest.id, productId: tea.id, costPaisa: 8000, stock: 5 });
    expect(await vendorOf()).toBe(cheapest.code);
    await knex("vendor_products").where({ vendor_id: cheapest.id }).update({ cost_paisa: 9500 });
    expect(await vendorOf()).toBe(cheap.code);
    await knex("vendors").where({ id: cheap.id }).update({ status: "INACTIVE" });
    expect(await vendorOf()).toBe(dear.code);
    const cost = await knex("order_items").join("orders", "orders.id", "order_items.order_id").where({ "orders.vendor_id": dear.id }).first("unit_cost_paisa");
    expect(cost?.unit_cost_paisa).toBe(9000);
  });

  it("stock the cheapest vendor ran out of sends the order to the next, and a refusal gives the figures", async () => {
    const knex = ctx.db.knex;
    const { tea, dear, cheap, retailer } = await twoVendorCatalog(knex, 3);
    const place = (quantity: number) => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: tea.sku, quantity }], now: NOW });
    expect(await place(2)).toMatchObject({ ok: true, order: { vendor: { code: cheap.code } } });
    const { result, statements } = await statementsOf(knex, () => place(2));
    expect(result).toMatchObject({ ok: true, order: { vendor: { code: dear.code } } });
    if (ctx.target === "pglite") expect(statements).toBe(1);
    const before = await placementFootprint(knex);
    expect(await place(2)).toEqual({ ok: false, refusal: { reason: "out_of_stock", lines: [{ sku: tea.sku, name: "Tea 500g", requested: 2, available: 1 }] } });
    expect(await placementFootprint(knex)).toEqual(before);
  });

  it("credit used up and a suspension since the last read are refusals with figures, inside a caller's transaction too", async () => {
    const knex = ctx.db.knex;
    const { salt } = await twoVendorCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 5000 });
    const place = (executor: Knex | Knex.Transaction) => placeOrder(executor, { ...base, retailerId: retailer.id, lines: [{ sku: salt.sku, quantity: 2 }], now: NOW });
    expect(await place(knex)).toMatchObject({ ok: true, order: { totalPaisa: 4520 } });
    const refusal = { ok: false, refusal: { reason: "credit_limit", limitPaisa: 5000, usedPaisa: 4520, availablePaisa: 480, requiredPaisa: 4520 } };
    expect(await place(knex)).toEqual(refusal);
    expect(await knex.transaction((trx) => place(trx))).toEqual(refusal);
    await knex("retailers").where({ id: retailer.id }).update({ credit_limit_paisa: 100_000 });
    expect(await place(knex)).toMatchObject({ ok: true });
    await knex("retailers").where({ id: retailer.id }).update({ status: "SUSPENDED" });
    expect(await knex.transaction((trx) => place(trx))).toEqual({ ok: false, refusal: { reason: "retailer_suspended", status: "SUSPENDED" } });
  });

  it("a renamed retailer's new name is in the vendor's message", async () => {
    const knex = ctx.db.knex;
    const { salt, cheap, retailer } = await twoVendorCatalog(knex);
    const place = () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: salt.sku, quantity: 1 }], now: NOW });
    expect((await place()).ok).toBe(true);
    await knex("retailers").where({ id: retailer.id }).update({ name: "Sita Kirana Pasal" });
    const placed = await place();
    if (!placed.ok) throw new Error(JSON.stringify(placed.refusal));
    expect(placed.order.retailer.name).toBe("Sita Kirana Pasal");
    const message = await knex("outbox").where({ dedupe_key: `order.placed:${placed.order.number}` }).first("to_phone", "body");
    expect(message).toMatchObject({ to_phone: cheap.phone });
    expect(message?.body).toContain(`from Sita Kirana Pasal (${retailer.code})`);
  });

  it("two databases in one process never share what they read", async () => {
    const knex = ctx.db.knex;
    const other = await createTestDatabase("pglite");
    try {
      // The same SKU and the same catalog version in both, with different ids and prices.
      for (const [k, price, padding] of [[knex, 7000, 0], [other.db.knex, 9000, 3]] as const) {
        for (let i = 0; i < padding; i++) await insertProduct(k, { pricePaisa: 100 });
        const vendor = await insertVendor(k);
        const product = await insertProduct(k, { sku: "SAME-SKU-1", pricePaisa: price, name: "Same" });
        await insertOffer(k, { vendorId: vendor.id, productId: product.id, costPaisa: price - 1000, stock: 50 });
      }
      for (const k of [knex, other.db.knex]) await k("catalog_version").update({ version: 987654321 });
      const mine = await insertRetailer(knex, { limitPaisa: 1_000_000 });
      const theirs = await insertRetailer(other.db.knex, { limitPaisa: 1_000_000 });
      for (let round = 0; round < 2; round++) {
        const a = await statementsOf(knex, () => placeOrder(knex, { ...base, retailerId: mine.id, lines: [{ sku: "SAME-SKU-1", quantity: 1 }], now: NOW }));
        const b = await statementsOf(other.db.knex, () => placeOrder(other.db.knex, { ...base, retailerId: theirs.id, lines: [{ sku: "SAME-SKU-1", quantity: 1 }], now: NOW }));
        expect(a.result).toMatchObject({ ok: true, order: { subtotalPaisa: 7000 } });
        expect(b.result).toMatchObject({ ok: true, order: { subtotalPaisa: 9000 } });
        // Had they shared one memory, each would have found the other's ids there and read again.
        if (round === 1) expect([ctx.target === "pglite" ? a.statements : 1, b.statements]).toEqual([1, 1]);
      }
      expect((await verifyLedger(other.db.knex)).violations).toEqual([]);
      expect((await verifyLedger(knex)).violations).toEqual([]);
    } finally {
      await other.dispose();
    }
  });
});
