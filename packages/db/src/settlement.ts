import { settleOldestFirst } from "@khaacho/core";
import type { Knex } from "knex";

/**
 * Where each side's money and debts live: a retailer's payments pay its orders' totals, Khaacho's
 * settlements to a vendor pay the vendor's cost of its orders.
 */
export const SIDES = {
  retailer: { funds: "payments", paidAt: "received_at", allocations: "payment_allocations", fundsKey: "payment_id", party: "retailer_id", owed: "total_paisa", paid: "paid_paisa" },
  vendor: { funds: "vendor_settlements", paidAt: "paid_at", allocations: "vendor_settlement_allocations", fundsKey: "settlement_id", party: "vendor_id", owed: "cost_paisa", paid: "vendor_paid_paisa" },
} as const;

/** One application of money to an order; `paymentId` is the payment's or the settlement's id. */
export type SettlementAllocation = { paymentId: number; orderId: number; amountPaisa: number };

async function settle(trx: Knex.Transaction, side: keyof typeof SIDES, partyId: number, now: Date): Promise<SettlementAllocation[]> {
  const t = SIDES[side];
  const funds = await trx.raw<{ rows: { id: number; free: number; paid_at: Date | string }[] }>(
    `select id, amount_paisa - allocated_paisa as free, ${t.paidAt} as paid_at from ${t.funds}
      where ${t.party} = ? and reversed_at is null and allocated_paisa < amount_paisa`,
    [partyId],
  );
  if (funds.rows.length === 0) return [];
  const owed = await trx.raw<{ rows: { id: number; due: number; delivered_at: Date | string }[] }>(
    `select id, ${t.owed} - ${t.paid} as due, delivered_at from orders
      where ${t.party} = ? and status = 'DELIVERED' and ${t.paid} < ${t.owed}`,
    [partyId],
  );
  if (owed.rows.length === 0) return [];
  const { allocations } = settleOldestFirst(
    funds.rows.map((f) => ({ paymentId: f.id, freePaisa: f.free, at: new Date(f.paid_at).getTime() })),
    owed.rows.map((o) => ({ orderId: o.id, duePaisa: o.due, at: new Date(o.delivered_at).getTime() })),
  );
  if (allocations.length === 0) return [];
  await trx.raw(
    `with x as (select * from jsonb_to_recordset(?::jsonb) as x(funds_id bigint, order_id bigint, amount_paisa bigint)),
     a as (insert into ${t.allocations} (${t.fundsKey}, order_id, amount_paisa, created_at) select funds_id, order_id, amount_paisa, ?::timestamptz from x),
     p as (update ${t.funds} p set allocated_paisa = p.allocated_paisa + s.amount
             from (select funds_id, sum(amount_paisa) as amount from x group by funds_id) s where p.id = s.funds_id)
     update orders o set ${t.paid} = o.${t.paid} + s.amount, updated_at = ?::timestamptz
       from (select order_id, sum(amount_paisa) as amount from x group by order_id) s where o.id = s.order_id`,
    [JSON.stringify(allocations.map((a) => ({ funds_id: a.paymentId, order_id: a.orderId, amount_paisa: a.amountPaisa }))), now.toISOString(), now.toISOString()],
  );
  return allocations;
}

/**
 * Marks a reversed payment's (side "retailer") or settlement's (side "vendor") allocations
 * reversed, takes them off the orders' paid amounts and records the reversal on its row, inside
 * the caller's transaction (which holds the party's lock). Settle the party again afterwards.
 */
export async function releaseAllocations(trx: Knex.Transaction, side: keyof typeof SIDES, fundsId: number, reversalJournalId: number, now: Date): Promise<void> {
  const t = SIDES[side];
  const nowIso = now.toISOString();
  await trx.raw(
    `with a as (
       update ${t.allocations} set reversed_at = ?::timestamptz where ${t.fundsKey} = ? and reversed_at is null returning order_id, amount_paisa),
     o as (
       update orders o set ${t.paid} = o.${t.paid} - s.amount, updated_at = ?::timestamptz
         from (select order_id, sum(amount_paisa) as amount from a group by order_id) s where o.id = s.order_id)
     update ${t.funds} set reversed_at = ?::timestamptz, reversal_journal_id = ?, allocated_paisa = 0 where id = ?`,
    [nowIso, fundsId, nowIso, nowIso, reversalJournalId, fundsId],
  );
}

/**
 * Applies a retailer's unallocated payments to their unpaid delivered orders, oldest money to the
 * oldest order, inside the caller's transaction (which holds the retailer's lock). Afterwards
 * either no payment has money left or no delivered order is unpaid; what is left is the credit
 * balance. Returns the allocations made.
 */
export function settleRetailer(trx: Knex.Transaction, retailerId: number, now: Date): Promise<SettlementAllocation[]> {
  return settle(trx, "retailer", retailerId, now);
}

/**
 * Applies the unallocated settlements paid to a vendor to the vendor's cost of its delivered
 * orders, oldest first, inside the caller's transaction (which holds the vendor's row lock).
 * What is left is an advance to the vendor, applied to later deliveries.
 */
export function settleVendor(trx: Knex.Transaction, vendorId: number, now: Date): Promise<SettlementAllocation[]> {
  return settle(trx, "vendor", vendorId, now);
}
