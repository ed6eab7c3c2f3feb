// Contention on the real server: many placements at once against one credit limit, against the
// same two stock rows, and with one idempotency key. Every call must resolve (no deadlock or
// serialization failure may reach a caller) and the books must verify afterwards.
import { changeOrderStatus, getCreditSummary, inTransaction, placeOrder, verifyLedger } from "@khaacho/db";
import type { Knex } from "knex";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { insertOffer, insertProduct, insertRetailer, insertVendor, seedGuideCatalog } from "./support/order-fixtures.js";

const base = { source: "api" as const, actor: "test", vatRateBasisPoints: 1300, timeZone: "Asia/Kathmandu", now: new Date("2026-02-10T06:00:00Z") };

describeEachDatabase(
  "orders under contention",
  (ctx) => {
    it("200 concurrent placements against a limit that fits exactly 37: 37 succeed, 163 are refused for credit", async () => {
      const knex = ctx.db.knex;
      const { rice } = await seedGuideCatalog(knex, 100_000);
      const orderTotal = 2 * 15000 + 3900; // Rs.300 + 13% VAT
      const retailer = await insertRetailer(knex, { limitPaisa: 37 * orderTotal });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 2 }], idempotencyKey: `credit-${retailer.code}-${i}` })),
      );
      const placed = results.filter((r) => r.ok);
      const refused = results.filter((r) => !r.ok);
      expect(placed.length).toBe(37);
      expect(placed.every((r) => r.ok && r.order.totalPaisa === orderTotal)).toBe(true);
      expect(refused.length).toBe(163);
      expect(refused.every((r) => !r.ok && r.refusal.reason === "credit_limit")).toBe(true);
      expect(await knex("retailers").where({ id: retailer.id }).first("open_holds_paisa")).toEqual({ open_holds_paisa: 37 * orderTotal });
      const numbers = new Set(placed.map((r) => (r.ok ? r.order.number : "")));
      expect(numbers.size).toBe(37);
      expect((await verifyLedger(knex)).violations).toEqual([]);
    });

    it("200 concurrent two-line orders in random line order against stock for 10: exactly 10 succeed", async () => {
      const knex = ctx.db.knex;
      const vendor = await insertVendor(knex);
      const a = await insertProduct(knex, { pricePaisa: 1000, name: "Noodles" });
      const b = await insertProduct(knex, { pricePaisa: 2000, name: "Biscuits" });
      await insertOffer(knex, { vendorId: vendor.id, productId: a.id, costPaisa: 900, stock: 10 });
      await insertOffer(knex, { vendorId: vendor.id, productId: b.id, costPaisa: 1800, stock: 10 });
      const retailers = await Promise.all(Array.from({ length: 40 }, () => insertRetailer(knex, { limitPaisa: 1_000_000 })));
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const lines = [
            { sku: a.sku, quantity: 1 },
            { sku: b.sku, quantity: 1 },
          ];
          if (Math.random() < 0.5) lines.reverse();
          return placeOrder(knex, { ...base, retailerId: (retailers[i % retailers.length] as { id: number }).id, lines });
        }),
      );
      expect(results.filter((r) => r.ok).length).toBe(10);
      const refusals = results.filter((r) => !r.ok);
      expect(refusals.every((r) => !r.ok && r.refusal.reason === "out_of_stock")).toBe(true);
      const offers = await knex("vendor_products").where({ vendor_id: vendor.id }).select("stock", "reserved");
      expect(offers).toEqual([
        { stock: 0, reserved: 10 },
        { stock: 0, reserved: 10 },
      ]);
      expect((await verifyLedger(knex)).violations).toEqual([]);
    });

    it("deliveries racing placements never let credit be over-committed (a delivery moves a hold into the receivable)", async () => {
      const knex = ctx.db.knex;
      const { rice } = await seedGuideCatalog(knex, 100_000);
      const orderTotal = 2 * 15000 + 3900;
      const retailer = await insertRetailer(knex, { limitPaisa: 30 * orderTotal });
      const early: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 2 }] });
        if (!r.ok) throw new Error("refused");
        early.push(r.order.number);
        for (const action of ["accept", "dispatch"] as const) await changeOrderStatus(knex, { ...base, number: r.order.number, action });
      }
      const [placements] = await Promise.all([
        Promise.all(Array.from({ length: 100 }, () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 2 }] }))),
        Promise.all(early.map((number) => changeOrderStatus(knex, { ...base, number, action: "deliver" }))),
      ]);
      expect(placements.filter((r) => r.ok).length).toBe(18);
      const credit = await getCreditSummary(knex, retailer.id, base.now, base.timeZone);
      expect(credit).toMatchObject({ receivablePaisa: 12 * orderTotal, holdsPaisa: 18 * orderTotal, availablePaisa: 0 });
      expect((await verifyLedger(knex)).violations).toEqual([]);
    });

    it("the same idempotency key 5 times in parallel gives one order", async () => {
      const knex = ctx.db.knex;
      const { rice } = await seedGuideCatalog(knex);
      const retailer = await insertRetailer(knex, { limitPaisa: 1_000_000_00 });
      for (let round = 0; round < 5; round++) {
        const key = `SMpar-${retailer.code}-${round}`;
        const results = await Promise.all(Array.from({ length: 5 }, () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 1 }], idempotencyKey: key })));
        expect(new Set(results.map((r) => (r.ok ? r.order.number : "refused"))).size).toBe(1);
        expect(results.filter((r) => r.ok && !r.replayed).length).toBe(1);
        expect(await knex("orders").where({ idempotency_key: key }).count<{ count: number }[]>("* as count")).toEqual([{ count: 1 }]);
      }
      expect((await verifyLedger(knex)).violations).toEqual([]);
    });

    // Another transaction changes what a placement read, and commits while the placement's write
    // waits for its row lock: the write's guard aborts it, and placement reads and decides again.
    // `probe`, given, runs in the blocking transaction once the placement waits, and may abort it
    // (it is then rolled back instead of committed).
    async function whileBlocked<T>(
      knex: Knex,
      block: (trx: Knex.Transaction) => Promise<unknown>,
      start: () => Promise<T>,
      probe?: (trx: Knex.Transaction) => Promise<void>,
    ): Promise<{ result: T; waited: boolean }> {
      const blocker = await knex.transaction();
      await block(blocker);
      const running = start();
      let waited = false;
      for (let i = 0; i < 500 && !waited; i++) {
        const rows = (await knex.raw(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows as { n: number }[];
        waited = (rows[0]?.n ?? 0) > 0;
        if (!waited) await new Promise((r) => setTimeout(r, 5));
      }
      if (probe) {
        await probe(blocker);
        await blocker.rollback();
      } else {
        await blocker.commit();
      }
      return { result: await running, waited };
    }

    it("a placement locks its offers in id order, whatever the order of its lines", async () => {
      const knex = ctx.db.knex;
      const vendor = await insertVendor(knex);
      const a = await insertProduct(knex, { pricePaisa: 1000, name: "Candles" });
      const b = await insertProduct(knex, { pricePaisa: 2000, name: "Matches" });
      const low = await insertOffer(knex, { vendorId: vendor.id, productId: a.id, costPaisa: 900, stock: 10 });
      const high = await insertOffer(knex, { vendorId: vendor.id, productId: b.id, costPaisa: 1800, stock: 10 });
      expect(low).toBeLessThan(high);
      const retailer = await insertRetailer(knex, { limitPaisa: 1_000_000 });
      // Hold the higher offer; the placement, lines highest first, waits for it holding the lower
      // one already. Locked in the lines' order instead, it would wait before touching the lower.
      let lowerHeld: unknown;
      const { result, waited } = await whileBlocked(
        knex,
        (trx) => trx.raw("select id from vendor_products where id = ? for update", [high]),
        () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: b.sku, quantity: 1 }, { sku: a.sku, quantity: 1 }] }),
        async (trx) => {
          lowerHeld = await trx.raw("select id from vendor_products where id = ? for update nowait", [low]).then(
            () => false,
            (error: { code?: string }) => error.code,
          );
        },
      );
      expect(waited).toBe(true);
      expect(lowerHeld).toBe("55P03");
      expect(result).toMatchObject({ ok: true });
    });

    it("stock taken between a placement's read and its write: the guard aborts the write and the refusal shows what is left", async () => {
      const knex = ctx.db.knex;
      const vendor = await insertVendor(knex);
      const tea = await insertProduct(knex, { pricePaisa: 1000, name: "Tea" });
      const offerId = await insertOffer(knex, { vendorId: vendor.id, productId: tea.id, costPaisa: 900, stock: 10 });
      const retailer = await insertRetailer(knex, { limitPaisa: 1_000_000 });
      const { result, waited } = await whileBlocked(
        knex,
        (trx) => trx("vendor_products").where({ id: offerId }).update({ stock: 3 }),
        () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: tea.sku, quantity: 5 }] }),
      );
      expect(waited).toBe(true);
      expect(result).toEqual({ ok: false, refusal: { reason: "out_of_stock", lines: [{ sku: tea.sku, name: "Tea", requested: 5, available: 3 }] } });
      expect(await knex("vendor_products").where({ id: offerId }).first("stock", "reserved")).toEqual({ stock: 3, reserved: 0 });
    });

    it("credit used between a placement's read and its write: the guard aborts the write and the refusal shows what is left", async () => {
      const knex = ctx.db.knex;
      const { rice } = await seedGuideCatalog(knex);
      const retailer = await insertRetailer(knex, { limitPaisa: 100_000 });
      const { result, waited } = await whileBlocked(
        knex,
        (trx) => trx("retailers").where({ id: retailer.id }).update({ credit_limit_paisa: 10_000 }),
        () => placeOrder(knex, { ...base, retailerId: retailer.id, lines: [{ sku: rice, quantity: 1 }] }),
      );
      expect(waited).toBe(true);
      expect(result).toEqual({ ok: false, refusal: { reason: "credit_limit", limitPaisa: 10_000, usedPaisa: 0, availablePaisa: 10_000, requiredPaisa: 16_950 } });
      expect(await knex("orders").where({ retailer_id: retailer.id }).count<{ count: number }[]>("* as count")).toEqual([{ count: 0 }]);
    });

    it("inside callers' transactions, conflicts and a key placed concurrently are retried by each transaction's owner", async () => {
      const knex = ctx.db.knex;
      const vendor = await insertVendor(knex);
      const a = await insertProduct(knex, { pricePaisa: 1000, name: "Noodles" });
      await insertOffer(knex, { vendorId: vendor.id, productId: a.id, costPaisa: 900, stock: 15 });
      const retailers = await Promise.all(Array.from({ length: 30 }, () => insertRetailer(knex, { limitPaisa: 1_000_000 })));
      // Each caller writes a row of its own in the same transaction, which must commit exactly once with the order.
      await knex.raw("create table caller_notes (key text primary key, order_number text)");
      const place = (i: number, key: string) =>
        inTransaction(knex, async (trx) => {
          const result = await placeOrder(trx, { ...base, retailerId: (retailers[i % retailers.length] as { id: number }).id, lines: [{ sku: a.sku, quantity: 1 }], idempotencyKey: key });
          await trx("caller_notes").insert({ key: `${key}#${i}`, order_number: result.ok ? result.order.number : null });
          return result;
        });
      const results = await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => place(i, `caller-${i}`)),
        // Five callers with one key (one retailer): one order, four replays.
        ...Array.from({ length: 5 }, (_, k) => place(30 * (k + 2), "caller-shared")),
      ]);
      const orders = new Set(results.flatMap((r) => (r.ok ? [r.order.number] : [])));
      expect(orders.size).toBe(15);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.refusal.reason === "out_of_stock")).toBe(true);
      expect(await knex("caller_notes").count<{ count: number }[]>("* as count")).toEqual([{ count: 45 }]);
      expect(await knex("orders").where({ idempotency_key: "caller-shared" }).count<{ count: number }[]>("* as count")).toEqual([{ count: results.slice(40).some((r) => r.ok) ? 1 : 0 }]);
      expect(await knex("vendor_products").where({ vendor_id: vendor.id }).first("stock", "reserved")).toEqual({ stock: 0, reserved: 15 });
      expect((await verifyLedger(knex)).violations).toEqual([]);
    });
  },
  { poolMax: 20, targets: ["postgres"] },
);
