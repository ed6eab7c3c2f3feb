import { migrateLatest, migrateRollback, migrationStatus, withStatements } from "@khaacho/db";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";

describeEachDatabase("schema", (ctx) => {
  it("is fully migrated and round-trips rollback then migrate", async () => {
    expect((await migrationStatus(ctx.db.knex)).pending).toEqual([]);
    const rolledBack = await migrateRollback(ctx.db.knex);
    expect(rolledBack.length).toBeGreaterThan(0);
    expect(await ctx.db.knex.schema.hasTable("orders")).toBe(false);
    expect(await migrateLatest(ctx.db.knex)).toEqual(rolledBack.slice().reverse().concat().sort());
    expect(await ctx.db.knex.schema.hasTable("orders")).toBe(true);
  });

  it("returns bigint as number and date as YYYY-MM-DD on every driver", async () => {
    const row = (await ctx.db.knex.raw("select 9007199254740991::bigint as big, date '2026-02-10' as day")).rows[0];
    expect(row).toEqual({ big: 9007199254740991, day: "2026-02-10" });
  });

  it("rejects data that breaks constraints", async () => {
    const k = ctx.db.knex;
    await k("vendors").insert({ code: "V1", name: "Vendor", phone: "+9779800000001" });
    await expect(k("vendors").insert({ code: "V2", name: "Other", phone: "+9779800000001" })).rejects.toThrow(/unique|duplicate/i);
    await expect(k("retailers").insert({ code: "R1", name: "Shop", phone: "9800000002" })).rejects.toThrow(/retailers_phone_check/);
    await expect(k("retailers").insert({ code: "R1", name: "Shop", phone: "+9779800000002", status: "GONE" })).rejects.toThrow(/retailers_status_check/);
    const [product] = await k("products").insert({ sku: "RICE-1KG", name: "Rice", unit: "kg", price_paisa: 15000 }).returning("id");
    const [vendor] = await k("vendors").select("id").where({ code: "V1" });
    await expect(k("vendor_products").insert({ vendor_id: vendor.id, product_id: product.id, cost_paisa: 100, stock: -1 })).rejects.toThrow(
      /vendor_products_stock_check/,
    );
  });
});

describeEachDatabase("ledger protection", (ctx) => {
  it("rejects an unbalanced journal at commit and any change to posted entries", async () => {
    const k = ctx.db.knex;
    const [cash, payable] = await k("ledger_accounts")
      .insert([
        { code: "test:cash", name: "Cash", type: "asset" },
        { code: "test:payable", name: "Payable", type: "liability" },
      ])
      .returning("id");
    await expect(
      k.transaction(async (trx) => {
        const [journal] = await trx("ledger_journals").insert({ kind: "test", description: "unbalanced", business_date: "2026-02-10" }).returning("id");
        await trx("ledger_entries").insert({ journal_id: journal.id, account_id: cash.id, direction: "debit", amount_paisa: 500 });
      }),
    ).rejects.toThrow(/does not balance/);
    expect(await k("ledger_journals").count({ n: "*" }).first()).toEqual({ n: 0 });

    await k.transaction(async (trx) => {
      const [journal] = await trx("ledger_journals").insert({ kind: "test", description: "balanced", business_date: "2026-02-10" }).returning("id");
      await trx("ledger_entries").insert([
        { journal_id: journal.id, account_id: cash.id, direction: "debit", amount_paisa: 500 },
        { journal_id: journal.id, account_id: payable.id, direction: "credit", amount_paisa: 500 },
      ]);
    });
    await expect(k("ledger_entries").update({ amount_paisa: 600 })).rejects.toThrow(/append-only/);
    await expect(k("ledger_entries").delete()).rejects.toThrow(/append-only/);
    await expect(k("ledger_journals").delete()).rejects.toThrow(/append-only/);
  });
});

describeEachDatabase("statements on one connection", (ctx) => {
  it("run with the connection's types, refuse an undefined binding, and refuse a finished transaction", async () => {
    const knex = ctx.db.knex;
    expect(await withStatements(knex, (s) => s.run("test_echo", "select ?::bigint as big, ?::text as text", [42, "x"]))).toEqual([{ big: 42, text: "x" }]);
    await expect(withStatements(knex, (s) => s.run(undefined, "select ?::int as x", [undefined]))).rejects.toThrow(/undefined/i);
    const trx = await knex.transaction();
    await trx.commit();
    await expect(withStatements(trx, (s) => s.run(undefined, "select 1 as one", []))).rejects.toThrow(/already (finished|complete)/i);
  });
});
