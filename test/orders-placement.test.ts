import { isDomainError } from "@khaacho/core";
import { changeOrderStatus, getCreditSummary, getOrderDetail, listOrders, placeOrder, verifyLedger } from "@khaacho/db";
import { expect, it, vi } from "vitest";
import { insertOffer, insertProduct, insertRetailer, insertVendor, placementFootprint, seedGuideCatalog } from "./support/order-fixtures.js";
import { describeEachDatabase } from "./support/databases.js";

const TZ = "Asia/Kathmandu";
const base = { source: "cli" as const, actor: "test", vatRateBasisPoints: 1300, timeZone: TZ };
// 2026-02-10 00:05 in Kathmandu (still the 9th in UTC).
const NOW = new Date("2026-02-09T18:20:00Z");

describeEachDatabase("order placement", (ctx) => {
  it("places the seed guide's order exactly: Rs.2100.00 + Rs.273.00 = Rs.2373.00, numbered ORD260210001", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice, dal } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 10_000_00 });
    const result = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 10 }, { sku: dal, quantity: 5 }], now: NOW });
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
    const order = result.order;
    expect(order).toMatchObject({ number: "ORD260210001", status: "PENDING", subtotalPaisa: 210000, vatPaisa: 27300, totalPaisa: 237300, paidPaisa: 0, duePaisa: 237300 });
    expect(order.vendor.code).toBe(vendor.code);
    expect(order.businessDate).toBe("2026-02-10");
    expect(order.expectedDeliveryDate).toBe("2026-02-11");
    expect(await getOrderDetail(knex, order.number, { now: NOW, timeZone: TZ })).toEqual(order);

    const offers = await knex("vendor_products").where({ vendor_id: vendor.id }).orderBy("id").select("stock", "reserved");
    expect(offers).toEqual([{ stock: 990, reserved: 10 }, { stock: 995, reserved: 5 }]);
    const hold = await knex("credit_holds").where({ order_id: order.id }).first("status", "amount_paisa");
    expect(hold).toEqual({ status: "OPEN", amount_paisa: 237300 });
    const message = await knex("outbox").where({ to_phone: vendor.phone }).first("kind", "body", "dedupe_key");
    expect(message?.kind).toBe("vendor.order_placed");
    expect(message?.body).toContain("ORD260210001");
    expect(message?.dedupe_key).toBe("order.placed:ORD260210001");

    const second = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: dal, quantity: 1 }], now: NOW });
    expect(second.ok && second.order.number).toBe("ORD260210002");
    expect((await listOrders(knex, { retailerId: retailer.id })).map((o) => o.number)).toEqual(["ORD260210002", "ORD260210001"]);
    expect(await getCreditSummary(knex, retailer.id, NOW, TZ)).toMatchObject({ limitPaisa: 1_000_000, holdsPaisa: 237300 + 13560, availablePaisa: 1_000_000 - 237300 - 13560 });
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });

  it("refuses with the figures a reply needs, and writes nothing", async () => {
    const knex = ctx.db.knex;
    const { rice, dal } = await seedGuideCatalog(knex, 7);
    const retailer = await insertRetailer(knex, { limitPaisa: 1000_00 });
    const suspended = await insertRetailer(knex, { limitPaisa: 1000_00, status: "SUSPENDED" });
    const before = await placementFootprint(knex);
    const place = (lines: { sku: string; quantity: number }[], retailerId = retailer.id) => placeOrder(knex, { ...base, retailerId, lines, now: NOW });

    expect(await place([])).toEqual({ ok: false, refusal: { reason: "empty_order" } });
    expect(await place([{ sku: rice, quantity: 0 }])).toMatchObject({ ok: false, refusal: { reason: "invalid_quantity", lines: [{ sku: rice, quantity: 0 }] } });
    expect(await place([{ sku: "NO-SUCH", quantity: 1 }, { sku: rice, quantity: 1 }])).toEqual({ ok: false, refusal: { reason: "unknown_sku", skus: ["NO-SUCH"] } });
    expect(await place([{ sku: rice, quantity: 8 }, { sku: dal, quantity: 1 }])).toEqual({
      ok: false,
      refusal: { reason: "out_of_stock", lines: [{ sku: rice, name: "Basmati Rice 1KG", requested: 8, available: 7 }] },
    });
    expect(await place([{ sku: rice, quantity: 7 }])).toEqual({
      ok: false,
      refusal: { reason: "credit_limit", limitPaisa: 100000, usedPaisa: 0, availablePaisa: 100000, requiredPaisa: 118650 },
    });
    expect(await place([{ sku: rice, quantity: 1 }], suspended.id)).toEqual({ ok: false, refusal: { reason: "retailer_suspended", status: "SUSPENDED" } });
    expect(await placementFootprint(knex)).toEqual(before);
  });

  it("a product with no offer is out of stock, not unknown; a cheaper vendor wins", async () => {
    const knex = ctx.db.knex;
    const lonely = await insertProduct(knex, { pricePaisa: 500, name: "Lonely" });
    const retailer = await insertRetailer(knex, { limitPaisa: 1000_00 });
    expect(await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: lonely.sku, quantity: 2 }], now: NOW })).toEqual({
      ok: false,
      refusal: { reason: "out_of_stock", lines: [{ sku: lonely.sku, name: "Lonely", requested: 2, available: 0 }] },
    });
    const dear = await insertVendor(knex);
    const cheap = await insertVendor(knex);
    await insertOffer(knex, { vendorId: dear.id, productId: lonely.id, costPaisa: 450, stock: 10 });
    await insertOffer(knex, { vendorId: cheap.id, productId: lonely.id, costPaisa: 400, stock: 10 });
    const placed = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: lonely.sku, quantity: 2 }], now: NOW });
    expect(placed.ok && placed.order.vendor.code).toBe(cheap.code);
  });

  it("two placements at once for the last units: one is placed, the other refused with what is left", async () => {
    const knex = ctx.db.knex;
    const vendor = await insertVendor(knex);
    const tea = await insertProduct(knex, { pricePaisa: 1000, name: "Tea" });
    await insertOffer(knex, { vendorId: vendor.id, productId: tea.id, costPaisa: 900, stock: 3 });
    const [a, b] = await Promise.all([insertRetailer(knex, { limitPaisa: 1000_00 }), insertRetailer(knex, { limitPaisa: 1000_00 })]);
    const results = await Promise.all([a, b].map((r) => placeOrder(knex, { ...base, retailerId: (r as { id: number }).id, lines: [{ sku: tea.sku, quantity: 2 }], now: NOW })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, refusal: { reason: "out_of_stock", lines: [{ sku: tea.sku, name: "Tea", requested: 2, available: 1 }] } });
    expect(await knex("vendor_products").where({ vendor_id: vendor.id }).first("stock", "reserved")).toEqual({ stock: 1, reserved: 2 });
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });

  it("returns the same order for a repeated idempotency key", async () => {
    const knex = ctx.db.knex;
    const { rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 3 }], idempotencyKey: `SM-seq-${retailer.code}`, now: NOW }));
    const numbers = new Set(results.map((r) => (r.ok ? r.order.number : "refused")));
    expect(numbers.size).toBe(1);
    expect(results.map((r) => r.ok && r.replayed)).toEqual([false, true, true, true, true]);
    expect(await knex("orders").where({ retailer_id: retailer.id }).count<{ count: number }[]>("* as count")).toEqual([{ count: 1 }]);
  });

  it("breaks a tie on cost by the vendors' records: a vendor that rejected an order loses ties to one that did not", async () => {
    const knex = ctx.db.knex;
    const [first, second] = [await insertVendor(knex), await insertVendor(knex)];
    const soap = await insertProduct(knex, { pricePaisa: 5000, name: "Soap" });
    for (const vendor of [first, second]) await insertOffer(knex, { vendorId: vendor.id, productId: soap.id, costPaisa: 4000, stock: 100 });
    const retailer = await insertRetailer(knex, { limitPaisa: 1_000_00 });
    const place = async () => {
      const result = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: soap.sku, quantity: 1 }], now: NOW });
      if (!result.ok) throw new Error(JSON.stringify(result.refusal));
      return result.order;
    };
    // Equal records (none yet): the older vendor.
    const one = await place();
    expect(one.vendor.code).toBe(first.code);
    await changeOrderStatus(knex, { number: one.number, action: "reject", actor: "vendor", now: NOW, timeZone: TZ });
    expect(await knex("vendors").whereIn("id", [first.id, second.id]).orderBy("id").select("delivered_orders", "rejected_orders")).toEqual([
      { delivered_orders: 0, rejected_orders: 1 },
      { delivered_orders: 0, rejected_orders: 0 },
    ]);
    // A process reads its vendors' records again after ten minutes at most.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 11 * 60_000);
      const two = await place();
      expect(two.vendor.code).toBe(second.code);
      await changeOrderStatus(knex, { number: two.number, action: "accept", actor: "vendor", now: NOW, timeZone: TZ });
      await changeOrderStatus(knex, { number: two.number, action: "dispatch", actor: "vendor", now: NOW, timeZone: TZ });
      await changeOrderStatus(knex, { number: two.number, action: "deliver", actor: "vendor", now: NOW, timeZone: TZ });
      expect(await knex("vendors").where({ id: second.id }).first("delivered_orders", "rejected_orders")).toEqual({ delivered_orders: 1, rejected_orders: 0 });
      vi.setSystemTime(Date.now() + 11 * 60_000);
      expect((await place()).vendor.code).toBe(second.code);
    } finally {
      vi.useRealTimers();
    }
    expect((await verifyLedger(knex)).violations).toEqual([]);
    // The verifier recounts the records from the orders.
    await knex("vendors").where({ id: first.id }).update({ rejected_orders: 0 });
    expect((await verifyLedger(knex)).violations).toEqual([
      expect.objectContaining({ kind: "vendor_record", details: expect.objectContaining({ vendor: first.code, rejected: 0, rejectedOrders: 1 }) }),
    ]);
    await knex("vendors").where({ id: first.id }).update({ rejected_orders: 1 });
  });

  it("refuses a key used before for another order instead of answering with that order", async () => {
    const knex = ctx.db.knex;
    const { rice, dal } = await seedGuideCatalog(knex);
    const [a, b] = await Promise.all([insertRetailer(knex, { limitPaisa: 100_000_00 }), insertRetailer(knex, { limitPaisa: 100_000_00 })]);
    const key = `SM-reused-${a.code}`;
    const first = await placeOrder(knex, { ...base, retailerId: a.id, lines: [{ sku: rice, quantity: 3 }], idempotencyKey: key, now: NOW });
    expect(first.ok).toBe(true);
    const number = first.ok ? first.order.number : "";
    const conflict = { code: "conflict", message: `idempotency key ${key} was already used for order ${number}, which is not this order` };
    // Another retailer, other lines, other quantities: each is another order.
    await expect(placeOrder(knex, { ...base, retailerId: b.id, lines: [{ sku: rice, quantity: 3 }], idempotencyKey: key, now: NOW })).rejects.toMatchObject(conflict);
    await expect(placeOrder(knex, { ...base, retailerId: a.id, lines: [{ sku: rice, quantity: 3 }, { sku: dal, quantity: 1 }], idempotencyKey: key, now: NOW })).rejects.toMatchObject(conflict);
    await expect(placeOrder(knex, { ...base, retailerId: a.id, lines: [{ sku: rice, quantity: 4 }], idempotencyKey: key, now: NOW })).rejects.toMatchObject(conflict);
    // The same request, with its line given in two parts, is the same order.
    const again = await placeOrder(knex, { ...base, retailerId: a.id, lines: [{ sku: rice, quantity: 1 }, { sku: rice, quantity: 2 }], idempotencyKey: key, now: NOW });
    expect(again).toMatchObject({ ok: true, replayed: true, order: { number } });
    expect(await knex("orders").where({ idempotency_key: key }).count<{ count: number }[]>("* as count")).toEqual([{ count: 1 }]);
  });

  it("runs inside a caller's transaction and rolls back with it", async () => {
    const knex = ctx.db.knex;
    const { rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const before = await placementFootprint(knex);
    await expect(
      knex.transaction(async (trx) => {
        const result = await placeOrder(trx, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 3 }], now: NOW });
        expect(result.ok).toBe(true);
        throw new Error("caller changed its mind");
      }),
    ).rejects.toThrow("caller changed its mind");
    expect(await placementFootprint(knex)).toEqual(before);
  });

  it("numbers the first order of a new day inside a caller's transaction", async () => {
    const knex = ctx.db.knex;
    const { rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const may5 = new Date("2026-05-05T03:00:00Z");
    const numbers = await knex.transaction(async (trx) => {
      const first = await placeOrder(trx, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 1 }], now: may5 });
      const second = await placeOrder(trx, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 1 }], now: may5 });
      return [first.ok && first.order.number, second.ok && second.order.number];
    });
    expect(numbers).toEqual(["ORD260505001", "ORD260505002"]);
    const third = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 1 }], now: may5 });
    expect(third.ok && third.order.number).toBe("ORD260505003");
  });

  it("keeps what an order refers to: vendors and products are never deleted, and each item is its vendor's offer", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice, dal } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const placed = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 1 }], now: NOW });
    if (!placed.ok) throw new Error(JSON.stringify(placed.refusal));
    await expect(knex("vendors").where({ id: vendor.id }).del()).rejects.toThrow("vendors are never deleted");
    await expect(knex("products").where({ sku: rice }).del()).rejects.toThrow("products are never deleted");
    await expect(knex.raw("truncate products cascade")).rejects.toThrow("products are never deleted");

    // The write itself refuses an item whose offer is another product's (a conflict: placement
    // reads afresh), and leaves nothing.
    const riceOffer = await knex("vendor_products as vp").join("products as p", "p.id", "vp.product_id").where("p.sku", rice).first("vp.id", "vp.cost_paisa as cost", "p.id as product_id");
    const dalProduct = await knex("products").where({ sku: dal }).first("id");
    const before = await placementFootprint(knex);
    const item = { product_id: dalProduct.id, sku: dal, name: "Dal", unit: "kg", quantity: 1, unit_price_paisa: 100, unit_cost_paisa: riceOffer.cost, line_total_paisa: 100 };
    await expect(
      knex.raw(
        `select * from khaacho_place_order(?::bigint, 113, array[?]::bigint[], array[1], array[?]::bigint[], 'order_seq_20260210'::regclass, '260210',
           ?::bigint, 'cli', 100, 1300, 13, ?::bigint, null, '2026-02-10', '2026-02-11', '2026-02-25', now(), ?::jsonb, 'test', null,
           ?, 'vendor.order_placed', 'x {order}', 'k:{order}')`,
        [retailer.id, riceOffer.id, riceOffer.cost, vendor.id, riceOffer.cost, JSON.stringify([item]), vendor.phone],
      ),
    ).rejects.toMatchObject({ code: "KH409", message: expect.stringContaining(`offer ${riceOffer.id} is not vendor ${vendor.id}'s offer of product ${dalProduct.id}`) });
    expect(await placementFootprint(knex)).toEqual(before);
    expect((await verifyLedger(knex)).violations).toEqual([]);

    // With the guards bypassed (a replica's session, which skips triggers and foreign keys), the
    // verifier still finds the order's missing vendor and product.
    const violations = await knex
      .transaction(async (trx) => {
        await trx.raw("set local session_replication_role = replica");
        await trx("vendor_products").where({ vendor_id: vendor.id }).del();
        await trx("products").where({ sku: rice }).del();
        await trx("vendors").where({ id: vendor.id }).del();
        await trx.raw("set local session_replication_role = origin");
        const report = await verifyLedger(trx);
        throw Object.assign(new Error("roll back"), { report });
      })
      .catch((error: { report?: Awaited<ReturnType<typeof verifyLedger>> }) => error.report?.violations.filter((v) => v.kind === "dangling_reference"));
    expect(violations?.map((v) => v.message).sort()).toEqual([
      `order ${placed.order.number} refers to product ${riceOffer.product_id}, which does not exist`,
      `order ${placed.order.number} refers to vendor ${vendor.id}, which does not exist`,
    ]);
    expect(await knex("vendors").where({ id: vendor.id }).first("id")).toEqual({ id: vendor.id });
  });

  // Placement writes in one statement; each table it writes gets a trigger that fails, in turn.
  const failurePoints = [
    { table: "retailers", when: "after update" },
    { table: "vendor_products", when: "after update" },
    { table: "orders", when: "after insert" },
    { table: "order_items", when: "after insert" },
    { table: "order_events", when: "after insert" },
    { table: "credit_holds", when: "after insert" },
    { table: "outbox", when: "before insert" },
  ];
  for (const point of failurePoints) {
    it(`a failure injected at the ${point.table} write leaves no order, item, event, hold, reservation or message behind`, async () => {
      const knex = ctx.db.knex;
      const { rice, dal } = await seedGuideCatalog(knex);
      const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
      const before = await placementFootprint(knex);
      const key = `fail-${point.table}-${retailer.code}`;
      const lines = [{ sku: rice, quantity: 2 }, { sku: dal, quantity: 1 }];
      await knex.raw(`create function inject_failure() returns trigger language plpgsql as $$
        begin raise exception 'injected failure at %', tg_table_name; end $$`);
      await knex.raw(`create trigger inject_failure ${point.when} on ${point.table} for each row execute function inject_failure()`);
      try {
        await expect(placeOrder(knex, { ...base, retailerId: retailer.id, lines, idempotencyKey: key, now: NOW })).rejects.toThrow(`injected failure at ${point.table}`);
      } finally {
        await knex.raw(`drop trigger inject_failure on ${point.table}`);
        await knex.raw(`drop function inject_failure()`);
      }
      expect(await placementFootprint(knex)).toEqual(before);
      // The same key then places normally: the failed attempt left no trace of it.
      const retry = await placeOrder(knex, { ...base, retailerId: retailer.id, lines, idempotencyKey: key, now: NOW });
      expect(retry.ok && retry.replayed).toBe(false);
      expect((await verifyLedger(knex)).violations).toEqual([]);
    });
  }

  it("walks the lifecycle; reject and cancel release stock and hold; wrong states are refused", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice } = await seedGuideCatalog(knex, 100);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const place = async () => {
      const r = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 10 }], now: NOW });
      if (!r.ok) throw new Error("refused");
      return r.order.number;
    };
    const change = (number: string, action: "accept" | "reject" | "dispatch" | "deliver" | "cancel") =>
      changeOrderStatus(knex, { number, action, actor: "ops", now: NOW, timeZone: TZ, note: action === "reject" ? "no van today" : undefined });
    const stock = async () => knex("vendor_products").where({ vendor_id: vendor.id }).orderBy("id").first("stock", "reserved");

    const a = await place();
    const b = await place();
    expect(await stock()).toEqual({ stock: 80, reserved: 20 });
    await change(a, "accept");
    await expect(change(a, "accept")).rejects.toSatisfy((e) => isDomainError(e, "invalid_transition"));
    await expect(change(a, "deliver")).rejects.toSatisfy((e) => isDomainError(e, "invalid_transition"));
    const rejected = await change(b, "reject");
    expect(rejected.status).toBe("REJECTED");
    expect(rejected.duePaisa).toBe(0);
    expect(rejected.events.at(-1)).toMatchObject({ type: "order.rejected", fromStatus: "PENDING", toStatus: "REJECTED", actor: "ops", note: "no van today" });
    expect(await stock()).toEqual({ stock: 90, reserved: 10 });
    await change(a, "dispatch");
    expect(await stock()).toEqual({ stock: 90, reserved: 0 });
    await expect(change(a, "cancel")).rejects.toSatisfy((e) => isDomainError(e, "invalid_transition"));
    const delivered = await change(a, "deliver");
    expect(delivered).toMatchObject({ status: "DELIVERED", totalPaisa: 169500, paidPaisa: 0, duePaisa: 169500, dueDate: "2026-03-12" });
    expect(delivered.events.map((e) => e.type)).toEqual(["order.placed", "order.accepted", "order.dispatched", "order.delivered"]);
    expect(await knex("credit_holds").whereIn("order_id", [delivered.id]).first("status")).toEqual({ status: "CONVERTED" });
    expect(await getCreditSummary(knex, retailer.id, new Date("2026-03-20T06:00:00Z"), TZ)).toMatchObject({ receivablePaisa: 169500, holdsPaisa: 0, duePaisa: 169500, overduePaisa: 169500 });
    expect((await getOrderDetail(knex, a, { now: new Date("2026-03-20T06:00:00Z"), timeZone: TZ }))?.daysPastDue).toBe(8);
    const listed = await listOrders(knex, { retailerId: retailer.id }, { now: new Date("2026-03-20T06:00:00Z"), timeZone: TZ });
    expect(listed.map((o) => [o.number, o.daysPastDue])).toEqual(expect.arrayContaining([[a, 8], [b, 0]]));
    const c = await place();
    await change(c, "cancel");
    expect(await stock()).toEqual({ stock: 90, reserved: 0 });
    const notices = await knex("outbox").where({ to_phone: retailer.phone }).orderBy("id").pluck("kind");
    expect(notices).toEqual(["order.accepted", "order.rejected", "order.dispatched", "order.delivered", "order.cancelled"]);
    await expect(change("ORD000000999", "accept")).rejects.toSatisfy((e) => isDomainError(e, "not_found"));
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });
});
