import { isDomainError } from "@khaacho/core";
import { getOrderDetail, getVendorPayable, recordVendorSettlement, reverseVendorSettlement, verifyLedger } from "@khaacho/db";
import type { Knex } from "knex";
import { expect, it } from "vitest";
import * as settlementsMigration from "../migrations/20261203030000_vendor_settlements.js";
import { describeEachDatabase } from "./support/databases.js";
import { deliveredOrder, insertRetailer, seedGuideCatalog } from "./support/order-fixtures.js";

const TZ = "Asia/Kathmandu";
const day = (d: string) => new Date(`${d}T06:00:00Z`);

const vendorPaid = async (knex: Knex, number: string) => {
  const order = await getOrderDetail(knex, number);
  return { cost: order?.vendorCostPaisa, paid: order?.vendorPaidPaisa };
};

describeEachDatabase("vendor settlements", (ctx) => {
  it("pay the vendor's oldest deliveries first, keep an excess as an advance for the next delivery, and undo cleanly", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice, dal } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 1_000_000_00 });
    const first = await deliveredOrder(knex, retailer.id, rice, 10, "2026-02-01"); // cost Rs.1350
    const second = await deliveredOrder(knex, retailer.id, dal, 10, "2026-02-02"); // cost Rs.1080
    expect(await getVendorPayable(knex, vendor.id)).toEqual({ payablePaisa: 243000, unsettledPaisa: 243000, advancePaisa: 0 });

    const settle = (reference: string, amountPaisa: number, on: string) =>
      recordVendorSettlement(knex, { vendorId: vendor.id, amountPaisa, method: "bank", reference, actor: "ops", now: day(on), timeZone: TZ });
    const s1 = await settle("BANK-1", 200000, "2026-02-03");
    expect(s1).toMatchObject({ replayed: false, payableBalancePaisa: 43000, settlement: { vendorCode: vendor.code, allocatedPaisa: 200000, unallocatedPaisa: 0 } });
    expect(s1.allocations).toEqual([
      { orderNumber: first, amountPaisa: 135000, reversed: false },
      { orderNumber: second, amountPaisa: 65000, reversed: false },
    ]);
    expect(await vendorPaid(knex, first)).toEqual({ cost: 135000, paid: 135000 });
    expect(await vendorPaid(knex, second)).toEqual({ cost: 108000, paid: 65000 });

    // Paying more than is owed leaves an advance, which the next delivery uses up.
    const s2 = await settle("BANK-2", 100000, "2026-02-04");
    expect(s2).toMatchObject({ payableBalancePaisa: -57000, settlement: { allocatedPaisa: 43000, unallocatedPaisa: 57000 } });
    expect(await getVendorPayable(knex, vendor.id)).toEqual({ payablePaisa: -57000, unsettledPaisa: 0, advancePaisa: 57000 });
    const third = await deliveredOrder(knex, retailer.id, rice, 5, "2026-02-05"); // cost Rs.675
    expect(await vendorPaid(knex, third)).toEqual({ cost: 67500, paid: 57000 });
    expect(await getVendorPayable(knex, vendor.id)).toEqual({ payablePaisa: 10500, unsettledPaisa: 10500, advancePaisa: 0 });
    expect((await verifyLedger(knex)).violations).toEqual([]);

    // The same reference again changes nothing; for another amount it is refused.
    expect((await settle("BANK-1", 200000, "2026-02-06")).replayed).toBe(true);
    await expect(settle("BANK-1", 200001, "2026-02-06")).rejects.toSatisfy((e) => isDomainError(e, "conflict"));
    await expect(settle("BANK-3", 0, "2026-02-06")).rejects.toSatisfy((e) => isDomainError(e, "invalid_input"));

    // Reversing the first settlement: what it paid is owed again; the second stays where it went.
    const reversed = await reverseVendorSettlement(knex, { reference: "BANK-1", actor: "ops", now: day("2026-02-07"), timeZone: TZ, reason: "wrong account" });
    expect(reversed).toMatchObject({ replayed: false, payableBalancePaisa: 210500, settlement: { allocatedPaisa: 0, unallocatedPaisa: 0 } });
    expect(reversed.allocations.every((a) => a.reversed)).toBe(true);
    expect(await vendorPaid(knex, first)).toEqual({ cost: 135000, paid: 0 });
    expect(await vendorPaid(knex, second)).toEqual({ cost: 108000, paid: 43000 });
    expect(await vendorPaid(knex, third)).toEqual({ cost: 67500, paid: 57000 });
    expect((await reverseVendorSettlement(knex, { reference: "BANK-1", actor: "ops", now: day("2026-02-07"), timeZone: TZ })).replayed).toBe(true);
    await expect(reverseVendorSettlement(knex, { reference: "NOPE", actor: "ops", now: day("2026-02-07"), timeZone: TZ })).rejects.toSatisfy((e) => isDomainError(e, "not_found"));
    expect((await verifyLedger(knex)).violations).toEqual([]);

    // Running the migration again over the journals (as it does for settlements recorded before
    // it) gives back the same settlements and applies the live money to the oldest deliveries.
    const settlementRows = () =>
      knex.raw(`select reference, amount_paisa, method, allocated_paisa, reversed_at is not null as reversed from vendor_settlements order by reference`).then((r) => r.rows);
    const before = await settlementRows();
    await knex.transaction(async (trx) => {
      await settlementsMigration.down(trx);
      await settlementsMigration.up(trx);
    });
    expect(await settlementRows()).toEqual(before);
    expect(await vendorPaid(knex, first)).toEqual({ cost: 135000, paid: 100000 });
    expect(await vendorPaid(knex, second)).toEqual({ cost: 108000, paid: 0 });
    expect(await vendorPaid(knex, third)).toEqual({ cost: 67500, paid: 0 });
    expect(await getVendorPayable(knex, vendor.id)).toEqual({ payablePaisa: 210500, unsettledPaisa: 210500, advancePaisa: 0 });
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });

  it("ledger verify names settlements and orders whose vendor figures were tampered with", async () => {
    const knex = ctx.db.knex;
    const { vendor, rice } = await seedGuideCatalog(knex);
    const retailer = await insertRetailer(knex, { limitPaisa: 1_000_000_00 });
    const number = await deliveredOrder(knex, retailer.id, rice, 2, "2026-03-01");
    await recordVendorSettlement(knex, { vendorId: vendor.id, amountPaisa: 10000, method: "cash", reference: `T-${vendor.code}`, actor: "ops", now: day("2026-03-02"), timeZone: TZ });
    expect((await verifyLedger(knex)).violations).toEqual([]);

    const kindsAfter = async (tamper: string, bindings: Knex.RawBinding[]) => {
      await knex.raw(tamper, bindings);
      return [...new Set((await verifyLedger(knex)).violations.map((v) => v.kind))].sort();
    };
    expect(await kindsAfter(`update orders set vendor_paid_paisa = vendor_paid_paisa + 1 where number = ?`, [number])).toEqual(["order_vendor_paid", "vendor_allocation"]);
    await knex.raw(`update orders set vendor_paid_paisa = vendor_paid_paisa - 1 where number = ?`, [number]);
    expect(await kindsAfter(`update vendor_settlements set allocated_paisa = allocated_paisa - 1 where reference = ?`, [`T-${vendor.code}`])).toEqual(["vendor_allocation", "vendor_settlement"]);
    await knex.raw(`update vendor_settlements set allocated_paisa = allocated_paisa + 1 where reference = ?`, [`T-${vendor.code}`]);
    expect(await kindsAfter(`update vendor_settlements set amount_paisa = amount_paisa + 100 where reference = ?`, [`T-${vendor.code}`])).toEqual(["vendor_allocation", "vendor_payable"]);
    await knex.raw(`update vendor_settlements set amount_paisa = amount_paisa - 100 where reference = ?`, [`T-${vendor.code}`]);
    expect((await verifyLedger(knex)).violations).toEqual([]);
  });
});
