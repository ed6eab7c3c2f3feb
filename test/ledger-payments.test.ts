import { isDomainError } from "@khaacho/core";
import {
  getCreditSummary,
  getOrderDetail,
  ledgerBalances,
  placeOrder,
  recordPayment,
  recordVendorSettlement,
  retailerStatement,
  reversePayment,
  verifyLedger,
} from "@khaacho/db";
import type { Knex } from "knex";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";
import { deliveredOrder, insertRetailer, seedGuideCatalog } from "./support/order-fixtures.js";

const TZ = "Asia/Kathmandu";
const day = (d: string) => new Date(`${d}T06:00:00Z`);

describeEachDatabase("payments and the ledger", (ctx) => {
  it("posts deliveries, allocates payments oldest first, keeps over-payment as credit, and reverses", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const first = await deliveredOrder(knex, retailer.id, rice, 10, "2026-02-01"); // Rs.1695.00
    const second = await deliveredOrder(knex, retailer.id, rice, 20, "2026-02-03"); // Rs.3390.00

    const balances = new Map((await ledgerBalances(knex)).map((b) => [b.code, b.balancePaisa]));
    expect(balances.get(`receivable:retailer:${retailer.id}`)).toBe(508500);
    expect(balances.get(`payable:vendor:${vendor.id}`)).toBe(-(30 * 13500));
    expect(balances.get("liability:vat-payable")).toBeLessThan(0);

    const pay = (amountPaisa: number, reference: string, on = "2026-02-05") =>
      recordPayment(knex, { retailerId: retailer.id, amountPaisa, method: "esewa", reference, actor: "ops", now: day(on), timeZone: TZ });
    const p1 = await pay(200000, `ES-1-${retailer.code}`);
    expect(p1.replayed).toBe(false);
    expect(p1.allocations).toEqual([
      { orderNumber: first, amountPaisa: 169500, reversed: false },
      { orderNumber: second, amountPaisa: 30500, reversed: false },
    ]);
    expect((await getOrderDetail(knex, first))?.duePaisa).toBe(0);
    expect((await getOrderDetail(knex, second))?.paidPaisa).toBe(30500);

    const again = await pay(200000, `ES-1-${retailer.code}`);
    expect(again.replayed).toBe(true);
    expect(again.payment.id).toBe(p1.payment.id);
    await expect(pay(100, `ES-1-${retailer.code}`)).rejects.toSatisfy((e) => isDomainError(e, "conflict"));

    const p2 = await pay(400000, `ES-2-${retailer.code}`, "2026-02-06");
    expect(p2.allocations).toEqual([{ orderNumber: second, amountPaisa: 308500, reversed: false }]);
    expect(p2.payment.unallocatedPaisa).toBe(91500);
    expect(await getCreditSummary(knex, retailer.id, day("2026-02-06"), TZ)).toMatchObject({
      receivablePaisa: 0,
      creditBalancePaisa: 91500,
      duePaisa: 0,
      availablePaisa: 100_000_00 + 91500,
    });

    // The credit balance pays the next delivery as soon as it is delivered.
    const third = await deliveredOrder(knex, retailer.id, rice, 4, "2026-02-07"); // Rs.678.00
    expect((await getOrderDetail(knex, third))?.paidPaisa).toBe(67800);
    expect((await getCreditSummary(knex, retailer.id, day("2026-02-07"), TZ)).creditBalancePaisa).toBe(91500 - 67800);

    // Reversing the first payment makes its orders due again; the remaining credit is re-applied.
    const reversed = await reversePayment(knex, { reference: `ES-1-${retailer.code}`, actor: "ops", now: day("2026-02-08"), timeZone: TZ, reason: "bounced" });
    expect(reversed.payment.reversedAt).not.toBeNull();
    expect(reversed.allocations.every((a) => a.reversed)).toBe(true);
    expect((await reversePayment(knex, { reference: `ES-1-${retailer.code}`, actor: "ops", now: day("2026-02-08"), timeZone: TZ })).replayed).toBe(true);
    const summary = await getCreditSummary(knex, retailer.id, day("2026-02-08"), TZ);
    expect(summary.receivablePaisa).toBe(508500 + 67800 - 400000);
    expect(summary.duePaisa).toBe(summary.receivablePaisa);
    expect((await getOrderDetail(knex, first))?.paidPaisa).toBe(23700); // the rest of ES-2, oldest order first
    expect((await verifyLedger(knex)).violations).toEqual([]);

    const statement = await retailerStatement(knex, { retailerId: retailer.id, from: "2026-02-03", to: "2026-02-08" });
    expect(statement.openingBalancePaisa).toBe(169500);
    expect(statement.lines.map((l) => [l.date, l.kind, l.reference, l.debitPaisa, l.creditPaisa])).toEqual([
      ["2026-02-03", "order_delivery", second, 339000, 0],
      ["2026-02-05", "payment", `ES-1-${retailer.code}`, 0, 200000],
      ["2026-02-06", "payment", `ES-2-${retailer.code}`, 0, 400000],
      ["2026-02-07", "order_delivery", third, 67800, 0],
      ["2026-02-08", "payment_reversal", `ES-1-${retailer.code}`, 200000, 0],
    ]);
    expect(statement.closingBalancePaisa).toBe(summary.receivablePaisa);
    expect(statement.lines.at(-1)?.balancePaisa).toBe(statement.closingBalancePaisa);
    await expect(retailerStatement(knex, { retailerId: retailer.id, from: "2026-02-09", to: "2026-02-01" })).rejects.toSatisfy((e) => isDomainError(e, "invalid_input"));
  });

  it("settles vendors idempotently and refuses bad payments", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    await deliveredOrder(knex, retailer.id, rice, 10, "2026-02-01");
    const settle = () => recordVendorSettlement(knex, { vendorId: vendor.id, amountPaisa: 100000, method: "bank", reference: `BANK-${vendor.code}`, actor: "ops", now: day("2026-02-02"), timeZone: TZ });
    const s1 = await settle();
    expect(s1).toMatchObject({ replayed: false, payableBalancePaisa: 135000 - 100000 });
    expect((await settle()).replayed).toBe(true);
    for (const amountPaisa of [0, -5, 1.5]) {
      await expect(recordPayment(knex, { retailerId: retailer.id, amountPaisa, method: "cash", reference: "X", actor: "ops", now: day("2026-02-02"), timeZone: TZ })).rejects.toSatisfy((e) =>
        isDomainError(e, "invalid_input"),
      );
    }
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });

  it("the database refuses to change or delete ledger rows, and to commit an unbalanced journal", async () => {
    const knex = ctx.db.knex;
    await expect(knex.raw("update ledger_entries set amount_paisa = amount_paisa + 1")).rejects.toThrow(/append-only/);
    await expect(knex.raw("delete from ledger_journals")).rejects.toThrow(/append-only/);
    const account = (await ledgerBalances(knex))[0];
    expect(account).toBeDefined();
    await expect(
      knex.transaction(async (trx) => {
        const [j] = await trx("ledger_journals").insert({ kind: "payment", description: "lopsided", business_date: "2026-02-02" }).returning("id");
        const accountId = (await trx("ledger_accounts").first("id")) as { id: number };
        await trx("ledger_entries").insert({ journal_id: (j as { id: number }).id, account_id: accountId.id, direction: "debit", amount_paisa: 5 });
      }),
    ).rejects.toThrow(/does not balance/);
    // Nor a journal without any entries.
    const journals = await knex("ledger_journals").count<{ count: number }[]>("* as count");
    await expect(
      knex.transaction(async (trx) => {
        await trx("ledger_journals").insert({ kind: "payment", description: "empty", business_date: "2026-02-02" });
      }),
    ).rejects.toThrow(/does not balance \(debits - credits = 0, 0 entries\)/);
    expect(await knex("ledger_journals").count<{ count: number }[]>("* as count")).toEqual(journals);
  });

  it("verify reports every kind of tampering it is meant to catch", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    await deliveredOrder(knex, retailer.id, rice, 1, "2026-02-01");
    const open = await placeOrder(knex, { retailerId: retailer.id, lines: [{ sku: rice, quantity: 2 }], source: "cli", actor: "ops", now: day("2026-02-02"), vatRateBasisPoints: 1300, timeZone: TZ });
    if (!open.ok) throw new Error("refused");
    expect((await verifyLedger(knex)).ok).toBe(true);

    // Ledger rows are append-only, so tamper with the cached and operational rows around them.
    await knex("ledger_accounts").where({ code: `receivable:retailer:${retailer.id}` }).increment("balance_paisa", 1);
    await knex("credit_holds").where({ order_id: open.order.id }).update({ amount_paisa: 1 });
    await knex("vendor_products").where({ vendor_id: vendor.id }).increment("reserved", 3);
    await knex("retailers").where({ id: retailer.id }).increment("open_holds_paisa", 7);
    await knex("orders").where({ id: open.order.id }).update({ status: "DELIVERED" });
    const report = await verifyLedger(knex);
    expect(report.ok).toBe(false);
    const kinds = new Set(report.violations.map((v) => v.kind));
    for (const kind of ["cached_balance", "credit_hold", "reserved_stock", "retailer_holds", "order_postings", "receivable"]) expect(kinds).toContain(kind);
    expect(report.violations.every((v) => v.message.length > 0)).toBe(true);
  });

  it("verify also catches journals that do not balance or reverse, and payments, paid amounts, totals and receivables out of step", async () => {
    const knex = ctx.db.knex;
    const { rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 100_000_00 });
    const delivered = await deliveredOrder(knex, retailer.id, rice, 1, "2026-02-01");
    const paid = await deliveredOrder(knex, retailer.id, rice, 2, "2026-02-01");
    const open = await placeOrder(knex, { retailerId: retailer.id, lines: [{ sku: rice, quantity: 3 }], source: "cli", actor: "ops", now: day("2026-02-02"), vatRateBasisPoints: 1300, timeZone: TZ });
    if (!open.ok) throw new Error("refused");
    const reference = `KH-TAMPER-${retailer.code}`;
    await recordPayment(knex, { retailerId: retailer.id, amountPaisa: 1000, method: "khalti", reference, actor: "ops", now: day("2026-02-03"), timeZone: TZ });
    const ids = async (table: string, where: Record<string, unknown>) => ((await knex(table).where(where).first("id")) as { id: number }).id;
    const deliveredId = await ids("orders", { number: delivered });
    const deliveryJournal = await ids("ledger_journals", { order_id: deliveredId, kind: "order_delivery" });
    const receivable = await ids("ledger_accounts", { code: `receivable:retailer:${retailer.id}` });
    const cash = await ids("ledger_accounts", { code: "asset:khalti" });

    // What the database refuses (ledger rows), written with its triggers off; then the cached rows.
    const forged = await knex.transaction(async (trx) => {
      await trx.raw("set local session_replication_role = replica");
      const [empty] = (await trx("ledger_journals").insert({ kind: "payment", description: "forged: no entries", business_date: "2026-02-03" }).returning("id")) as { id: number }[];
      const [mirror] = (await trx("ledger_journals")
        .insert({ kind: "payment_reversal", description: "forged: reverses the wrong amounts", reverses_journal_id: deliveryJournal, business_date: "2026-02-03" })
        .returning("id")) as { id: number }[];
      await trx("ledger_entries").insert([
        { journal_id: mirror!.id, account_id: cash, direction: "debit", amount_paisa: 1 },
        { journal_id: mirror!.id, account_id: receivable, direction: "credit", amount_paisa: 1 },
      ]);
      await trx.raw("set local session_replication_role = origin");
      return { empty: empty!.id, mirror: mirror!.id };
    });
    await knex("retailers").where({ id: retailer.id }).increment("receivable_paisa", 5);
    await knex("orders").where({ number: paid }).increment("paid_paisa", 7);
    await knex("payments").where({ reference }).decrement("allocated_paisa", 11);
    await knex("order_items").where({ order_id: open.order.id }).increment("unit_cost_paisa", 13);

    const violations = (await verifyLedger(knex)).violations;
    const found = (kind: string, details: Record<string, unknown>) => expect(violations).toContainEqual(expect.objectContaining({ kind, details: expect.objectContaining(details) }));
    found("unbalanced_journal", { journalId: forged.empty, entries: 0 });
    found("reversal_mismatch", { journalId: forged.mirror, reversesJournalId: deliveryJournal });
    found("retailer_receivable", { retailer: retailer.code });
    found("order_paid", { number: paid });
    found("payment", { reference });
    found("order_totals", { number: open.order.number });
    found("allocation", { retailer: retailer.code });
  });
});
