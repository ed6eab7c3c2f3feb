import { settleOldestFirst } from "@khaacho/core";
import type { Knex } from "knex";

/**
 * Applies a retailer's unallocated payments to their unpaid delivered orders, oldest money to the
 * oldest order, inside the caller's transaction (which holds the retailer's lock). Afterwards
 * either no payment has money left or no delivered order is unpaid; what is left is the credit
 * balance. Returns the allocations made.
 */
export async function settleRetailer(trx: Knex.Transaction, retailerId: number, now: Date): Promise<{ paymentId: number; orderId: number; amountPaisa: number }[]> {
  const funds = await trx.raw<{ rows: { id: number; free: number; received_at: Date | string }[] }>(
    `select id, amount_paisa - allocated_paisa as free, received_at from payments
      where retailer_id = ? and reversed_at is null and allocated_paisa < amount_paisa`,
    [retailerId],
  );
  if (funds.rows.length === 0) return [];
  const owed = await trx.raw<{ rows: { id: number; due: number; delivered_at: Date | string }[] }>(
    `select id, total_paisa - paid_paisa as due, delivered_at from orders
      where retailer_id = ? and status = 'DELIVERED' and paid_paisa < total_paisa`,
    [retailerId],
  );
  if (owed.rows.length === 0) return [];
  const { allocations } = settleOldestFirst(
    funds.rows.map((f) => ({ paymentId: f.id, freePaisa: f.free, at: new Date(f.received_at).getTime() })),
    owed.rows.map((o) => ({ orderId: o.id, duePaisa: o.due, at: new Date(o.delivered_at).getTime() })),
  );
  if (allocations.length === 0) return [];
  await trx.raw(
    `with x as (select * from jsonb_to_recordset(?::jsonb) as x(payment_id bigint, order_id bigint, amount_paisa bigint)),
     a as (insert into payment_allocations (payment_id, order_id, amount_paisa, created_at) select payment_id, order_id, amount_paisa, ?::timestamptz from x),
     p as (update payments p set allocated_paisa = p.allocated_paisa + s.amount
             from (select payment_id, sum(amount_paisa) as amount from x group by payment_id) s where p.id = s.payment_id)
     update orders o set paid_paisa = o.paid_paisa + s.amount, updated_at = ?::timestamptz
       from (select order_id, sum(amount_paisa) as amount from x group by order_id) s where o.id = s.order_id`,
    [JSON.stringify(allocations.map((a) => ({ payment_id: a.paymentId, order_id: a.orderId, amount_paisa: a.amountPaisa }))), now.toISOString(), now.toISOString()],
  );
  return allocations;
}
