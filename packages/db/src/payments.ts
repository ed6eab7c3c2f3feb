import {
  businessDate,
  creditFigures,
  type CreditFigures,
  DomainError,
  formatRupees,
  PAYMENT_METHODS,
  type PaymentMethod,
  paymentPostings,
  vendorSettlementPostings,
} from "@khaacho/core";
import type { Knex } from "knex";
import { postJournal, postReversal } from "./ledger.js";
import { enqueueMessage } from "./outbox.js";
import { releaseAllocations, settleRetailer, settleVendor } from "./settlement.js";
import { type Executor, inTransaction } from "./transaction.js";

/** A recorded payment from a retailer. */
export interface PaymentRecord {
  id: number;
  retailerId: number;
  amountPaisa: number;
  method: PaymentMethod;
  reference: string;
  /** Applied to orders; the rest is the retailer's credit balance. */
  allocatedPaisa: number;
  unallocatedPaisa: number;
  businessDate: string;
  receivedAt: string;
  reversedAt: string | null;
}

/** Part of a payment applied to an order. */
export interface PaymentAllocationRecord {
  orderNumber: string;
  amountPaisa: number;
  reversed: boolean;
}

/** What recording a payment needs; `reference` is its idempotency key. */
export interface RecordPaymentInput {
  retailerId: number;
  amountPaisa: number;
  method: PaymentMethod;
  reference: string;
  actor: string;
  now: Date;
  timeZone: string;
}

/** A payment and where it went; `replayed` when the reference was already recorded. */
export interface RecordPaymentResult {
  payment: PaymentRecord;
  allocations: PaymentAllocationRecord[];
  replayed: boolean;
}

function checkMoney(amountPaisa: number, method: string, reference: string): void {
  if (!Number.isSafeInteger(amountPaisa) || amountPaisa <= 0) {
    throw new DomainError("invalid_input", `amount must be a positive whole number of paisa, got ${amountPaisa}`, { field: "amount", value: amountPaisa });
  }
  if (!(PAYMENT_METHODS as readonly string[]).includes(method)) {
    throw new DomainError("invalid_input", `method must be one of ${PAYMENT_METHODS.join(", ")}, got "${method}"`, { field: "method", value: method });
  }
  if (reference.trim() === "" || reference.length > 200) {
    throw new DomainError("invalid_input", "reference must be 1 to 200 characters", { field: "reference" });
  }
}

const isoOrNull = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

async function loadPayment(executor: Executor, reference: string): Promise<{ payment: PaymentRecord; allocations: PaymentAllocationRecord[]; journalId: number } | undefined> {
  const row = (
    await executor.raw<{
      rows: { id: number; retailer_id: number; amount_paisa: number; method: PaymentMethod; reference: string; allocated_paisa: number; business_date: string; received_at: Date | string; reversed_at: Date | string | null; journal_id: number }[];
    }>(`select id, retailer_id, amount_paisa, method, reference, allocated_paisa, business_date, received_at, reversed_at, journal_id from payments where reference = ?`, [reference])
  ).rows[0];
  if (!row) return undefined;
  const allocations = await executor.raw<{ rows: { number: string; amount_paisa: number; reversed: boolean }[] }>(
    `select o.number, a.amount_paisa, a.reversed_at is not null as reversed from payment_allocations a join orders o on o.id = a.order_id where a.payment_id = ? order by a.id`,
    [row.id],
  );
  return {
    journalId: row.journal_id,
    payment: {
      id: row.id,
      retailerId: row.retailer_id,
      amountPaisa: row.amount_paisa,
      method: row.method,
      reference: row.reference,
      allocatedPaisa: row.allocated_paisa,
      unallocatedPaisa: row.reversed_at === null ? row.amount_paisa - row.allocated_paisa : 0,
      businessDate: row.business_date,
      receivedAt: isoOrNull(row.received_at) as string,
      reversedAt: isoOrNull(row.reversed_at),
    },
    allocations: allocations.rows.map((a) => ({ orderNumber: a.number, amountPaisa: a.amount_paisa, reversed: a.reversed })),
  };
}

function sameReplay(existing: PaymentRecord, input: { retailerId: number; amountPaisa: number }): void {
  if (existing.retailerId !== input.retailerId || existing.amountPaisa !== input.amountPaisa) {
    throw new DomainError("conflict", `payment reference ${existing.reference} was already used for ${formatRupees(existing.amountPaisa)} from another payment`, {
      reference: existing.reference,
      amountPaisa: existing.amountPaisa,
    });
  }
}

async function lockRetailer(trx: Knex.Transaction, retailerId: number): Promise<{ id: number; phone: string; name: string }> {
  const row = (await trx.raw<{ rows: { id: number; phone: string; name: string }[] }>(`select id, phone, name from retailers where id = ? for update`, [retailerId])).rows[0];
  if (!row) throw new DomainError("not_found", `no retailer with id ${retailerId}`, { retailerId });
  return row;
}

/**
 * Records money received from a retailer: funds debit, receivable credit, applied to the oldest
 * unpaid delivered orders first; an over-payment stays as a credit balance (applied to later
 * deliveries). The reference is the idempotency key: a repeat returns the first result
 * (`replayed: true`); the same reference with a different amount or retailer is a `conflict`.
 */
export async function recordPayment(executor: Executor, input: RecordPaymentInput): Promise<RecordPaymentResult> {
  checkMoney(input.amountPaisa, input.method, input.reference);
  const reference = input.reference.trim();
  try {
    return await inTransaction(executor, async (trx) => {
      const retailer = await lockRetailer(trx, input.retailerId);
      const existing = await loadPayment(trx, reference);
      if (existing) {
        sameReplay(existing.payment, input);
        return { payment: existing.payment, allocations: existing.allocations, replayed: true };
      }
      const day = businessDate(input.now, input.timeZone);
      const journalId = await postJournal(trx, {
        kind: "payment",
        description: `Payment ${reference} (${input.method})`,
        idempotencyKey: `payment:${reference}`,
        businessDate: day,
        createdAt: input.now,
        postings: paymentPostings({ retailerId: input.retailerId, method: input.method, amountPaisa: input.amountPaisa }),
      });
      await trx.raw(
        `insert into payments (retailer_id, amount_paisa, method, reference, journal_id, business_date, received_at, created_at, actor)
         values (?, ?, ?, ?, ?, ?::date, ?::timestamptz, ?::timestamptz, ?)`,
        [input.retailerId, input.amountPaisa, input.method, reference, journalId, day, input.now.toISOString(), input.now.toISOString(), input.actor],
      );
      await settleRetailer(trx, input.retailerId, input.now);
      const recorded = await loadPayment(trx, reference);
      if (!recorded) throw new Error(`payment ${reference} vanished inside its own transaction`);
      await enqueueMessage(trx, {
        toPhone: retailer.phone,
        kind: "payment.received",
        body: `Payment received: ${formatRupees(input.amountPaisa)} (${input.method}, ref ${reference}). Thank you!`,
        dedupeKey: `payment.received:${reference}`,
      });
      return { payment: recorded.payment, allocations: recorded.allocations, replayed: false };
    });
  } catch (error) {
    if ((error as { code?: unknown })?.code === "23505") {
      const existing = await loadPayment(executor, reference);
      if (existing) {
        sameReplay(existing.payment, input);
        return { payment: existing.payment, allocations: existing.allocations, replayed: true };
      }
    }
    throw error;
  }
}

/**
 * Reverses a recorded payment (a bounced cheque, a wrong entry): posts the reversal journal,
 * marks its allocations reversed so those orders are due again, and re-applies any other credit.
 * Reversing twice returns the first reversal (`replayed: true`).
 */
export async function reversePayment(
  executor: Executor,
  input: { reference: string; actor: string; now: Date; timeZone: string; reason?: string | undefined },
): Promise<RecordPaymentResult> {
  const reference = input.reference.trim();
  const found = await loadPayment(executor, reference);
  if (!found) throw new DomainError("not_found", `no payment with reference ${reference}`, { reference });
  return inTransaction(executor, async (trx) => {
    await lockRetailer(trx, found.payment.retailerId);
    const current = await loadPayment(trx, reference);
    if (!current) throw new DomainError("not_found", `no payment with reference ${reference}`, { reference });
    if (current.payment.reversedAt !== null) return { payment: current.payment, allocations: current.allocations, replayed: true };
    const reversalId = await postReversal(trx, {
      journalId: current.journalId,
      kind: "payment_reversal",
      description: `Reversal of payment ${reference}${input.reason ? `: ${input.reason}` : ""}`,
      idempotencyKey: `payment-reversal:${reference}`,
      businessDate: businessDate(input.now, input.timeZone),
      createdAt: input.now,
    });
    await releaseAllocations(trx, "retailer", current.payment.id, reversalId, input.now);
    await settleRetailer(trx, current.payment.retailerId, input.now);
    const reversed = await loadPayment(trx, reference);
    if (!reversed) throw new Error(`payment ${reference} vanished inside its own transaction`);
    return { payment: reversed.payment, allocations: reversed.allocations, replayed: false };
  });
}

/** Money Khaacho paid to a vendor for its deliveries. */
export interface VendorSettlementRecord {
  id: number;
  vendorId: number;
  vendorCode: string;
  amountPaisa: number;
  method: PaymentMethod;
  reference: string;
  /** Applied to the vendor's cost of delivered orders; the rest is an advance for later deliveries. */
  allocatedPaisa: number;
  unallocatedPaisa: number;
  businessDate: string;
  paidAt: string;
  reversedAt: string | null;
}

/** A settlement, where it went, and what Khaacho owes the vendor afterwards (negative: an advance). */
export interface VendorSettlementResult {
  settlement: VendorSettlementRecord;
  allocations: PaymentAllocationRecord[];
  payableBalancePaisa: number;
  replayed: boolean;
}

async function loadSettlement(executor: Executor, reference: string): Promise<(Omit<VendorSettlementResult, "replayed"> & { journalId: number }) | undefined> {
  const row = (
    await executor.raw<{
      rows: {
        id: number;
        vendor_id: number;
        vendor_code: string;
        amount_paisa: number;
        method: PaymentMethod;
        reference: string;
        allocated_paisa: number;
        business_date: string;
        paid_at: Date | string;
        reversed_at: Date | string | null;
        journal_id: number;
        payable: number | null;
      }[];
    }>(
      `select s.id, s.vendor_id, (select code from vendors v where v.id = s.vendor_id) as vendor_code, s.amount_paisa, s.method, s.reference, s.allocated_paisa, s.business_date, s.paid_at, s.reversed_at, s.journal_id,
              (select -balance_paisa from ledger_accounts a where a.vendor_id = s.vendor_id and a.type = 'liability') as payable
         from vendor_settlements s where s.reference = ?`,
      [reference],
    )
  ).rows[0];
  if (!row) return undefined;
  const allocations = await executor.raw<{ rows: { number: string; amount_paisa: number; reversed: boolean }[] }>(
    `select o.number, a.amount_paisa, a.reversed_at is not null as reversed from vendor_settlement_allocations a join orders o on o.id = a.order_id where a.settlement_id = ? order by a.id`,
    [row.id],
  );
  return {
    journalId: row.journal_id,
    settlement: {
      id: row.id,
      vendorId: row.vendor_id,
      vendorCode: row.vendor_code,
      amountPaisa: row.amount_paisa,
      method: row.method,
      reference: row.reference,
      allocatedPaisa: row.allocated_paisa,
      unallocatedPaisa: row.reversed_at === null ? row.amount_paisa - row.allocated_paisa : 0,
      businessDate: row.business_date,
      paidAt: isoOrNull(row.paid_at) as string,
      reversedAt: isoOrNull(row.reversed_at),
    },
    allocations: allocations.rows.map((a) => ({ orderNumber: a.number, amountPaisa: a.amount_paisa, reversed: a.reversed })),
    payableBalancePaisa: row.payable ?? 0,
  };
}

function sameSettlement(existing: VendorSettlementRecord, input: { vendorId: number; amountPaisa: number }): void {
  if (existing.vendorId !== input.vendorId || existing.amountPaisa !== input.amountPaisa) {
    throw new DomainError("conflict", `settlement reference ${existing.reference} was already used for another settlement (${formatRupees(existing.amountPaisa)})`, {
      reference: existing.reference,
      amountPaisa: existing.amountPaisa,
    });
  }
}

async function lockVendor(trx: Knex.Transaction, vendorId: number): Promise<{ id: number; phone: string }> {
  const row = (await trx.raw<{ rows: { id: number; phone: string }[] }>(`select id, phone from vendors where id = ? for update`, [vendorId])).rows[0];
  if (!row) throw new DomainError("not_found", `no vendor with id ${vendorId}`, { vendorId });
  return row;
}

/**
 * Records money paid to a vendor: payable debit, funds credit, applied to the vendor's cost of its
 * oldest unpaid delivered orders first; paying ahead of deliveries leaves an advance, applied to
 * later deliveries. The reference is the idempotency key: a repeat returns the first settlement
 * (`replayed: true`); the same reference for another vendor or amount is a `conflict`.
 */
export async function recordVendorSettlement(
  executor: Executor,
  input: { vendorId: number; amountPaisa: number; method: PaymentMethod; reference: string; actor: string; now: Date; timeZone: string },
): Promise<VendorSettlementResult> {
  checkMoney(input.amountPaisa, input.method, input.reference);
  const reference = input.reference.trim();
  const replay = (found: Omit<VendorSettlementResult, "replayed">): VendorSettlementResult => {
    sameSettlement(found.settlement, input);
    return { settlement: found.settlement, allocations: found.allocations, payableBalancePaisa: found.payableBalancePaisa, replayed: true };
  };
  try {
    return await inTransaction(executor, async (trx) => {
      const vendor = await lockVendor(trx, input.vendorId);
      const before = await loadSettlement(trx, reference);
      if (before) return replay(before);
      const day = businessDate(input.now, input.timeZone);
      const journalId = await postJournal(trx, {
        kind: "vendor_settlement",
        description: `Settlement ${reference} to vendor (${input.method}) by ${input.actor}`,
        idempotencyKey: `settlement:${reference}`,
        businessDate: day,
        createdAt: input.now,
        postings: vendorSettlementPostings({ vendorId: input.vendorId, method: input.method, amountPaisa: input.amountPaisa }),
      });
      await trx.raw(
        `insert into vendor_settlements (vendor_id, amount_paisa, method, reference, journal_id, business_date, paid_at, created_at, actor)
         values (?, ?, ?, ?, ?, ?::date, ?::timestamptz, ?::timestamptz, ?)`,
        [input.vendorId, input.amountPaisa, input.method, reference, journalId, day, input.now.toISOString(), input.now.toISOString(), input.actor],
      );
      await settleVendor(trx, input.vendorId, input.now);
      const recorded = await loadSettlement(trx, reference);
      if (!recorded) throw new Error(`settlement ${reference} vanished inside its own transaction`);
      await enqueueMessage(trx, {
        toPhone: vendor.phone,
        kind: "vendor.settlement",
        body: `Khaacho paid you ${formatRupees(input.amountPaisa)} (${input.method}, ref ${reference}).`,
        dedupeKey: `settlement:${reference}`,
      });
      return { settlement: recorded.settlement, allocations: recorded.allocations, payableBalancePaisa: recorded.payableBalancePaisa, replayed: false };
    });
  } catch (error) {
    if ((error as { code?: unknown })?.code === "23505") {
      const found = await loadSettlement(executor, reference);
      if (found) return replay(found);
    }
    throw error;
  }
}

/**
 * Reverses a vendor settlement entered by mistake: posts the reversal journal, marks its
 * allocations reversed so those orders' cost is owed to the vendor again, and re-applies any
 * other advance. Reversing twice returns the first reversal (`replayed: true`).
 */
export async function reverseVendorSettlement(
  executor: Executor,
  input: { reference: string; actor: string; now: Date; timeZone: string; reason?: string | undefined },
): Promise<VendorSettlementResult> {
  const reference = input.reference.trim();
  const found = await loadSettlement(executor, reference);
  if (!found) throw new DomainError("not_found", `no vendor settlement with reference ${reference}`, { reference });
  return inTransaction(executor, async (trx) => {
    await lockVendor(trx, found.settlement.vendorId);
    const current = await loadSettlement(trx, reference);
    if (!current) throw new DomainError("not_found", `no vendor settlement with reference ${reference}`, { reference });
    if (current.settlement.reversedAt !== null) return { settlement: current.settlement, allocations: current.allocations, payableBalancePaisa: current.payableBalancePaisa, replayed: true };
    const reversalId = await postReversal(trx, {
      journalId: current.journalId,
      kind: "vendor_settlement_reversal",
      description: `Reversal of settlement ${reference} by ${input.actor}${input.reason ? `: ${input.reason}` : ""}`,
      idempotencyKey: `settlement-reversal:${reference}`,
      businessDate: businessDate(input.now, input.timeZone),
      createdAt: input.now,
    });
    await releaseAllocations(trx, "vendor", current.settlement.id, reversalId, input.now);
    await settleVendor(trx, current.settlement.vendorId, input.now);
    const reversed = await loadSettlement(trx, reference);
    if (!reversed) throw new Error(`settlement ${reference} vanished inside its own transaction`);
    return { settlement: reversed.settlement, allocations: reversed.allocations, payableBalancePaisa: reversed.payableBalancePaisa, replayed: false };
  });
}

/** What Khaacho owes a vendor: the cost of its delivered orders not yet settled, less any advance. */
export interface VendorPayable {
  /** The vendor's payable account (negative: the vendor holds an advance). */
  payablePaisa: number;
  /** Cost of delivered orders not yet settled. */
  unsettledPaisa: number;
  /** Settled ahead of deliveries, not yet applied to any order. */
  advancePaisa: number;
}

/** A vendor's payable position, from its account, its orders and its settlements. */
export async function getVendorPayable(executor: Executor, vendorId: number): Promise<VendorPayable> {
  const row = (
    await executor.raw<{ rows: { payable: number | null; unsettled: number | null; advance: number | null }[] }>(
      `select (select -balance_paisa from ledger_accounts a where a.vendor_id = ? and a.type = 'liability') as payable,
              (select sum(cost_paisa - vendor_paid_paisa) from orders o where o.vendor_id = ? and o.status = 'DELIVERED' and o.vendor_paid_paisa < o.cost_paisa) as unsettled,
              (select sum(amount_paisa - allocated_paisa) from vendor_settlements s where s.vendor_id = ? and s.reversed_at is null) as advance`,
      [vendorId, vendorId, vendorId],
    )
  ).rows[0];
  return { payablePaisa: row?.payable ?? 0, unsettledPaisa: row?.unsettled ?? 0, advancePaisa: row?.advance ?? 0 };
}

/** A retailer's credit position, as the bot's BALANCE reply and the CLI show it. */
export interface CreditSummary extends CreditFigures {
  /** Unpaid amounts of delivered orders. */
  duePaisa: number;
  /** The part of duePaisa past its due date. */
  overduePaisa: number;
  /** Open (placed, undelivered) orders. */
  openOrders: number;
}

/**
 * A retailer's credit: limit, receivable, open holds, used, available (limit - (receivable +
 * holds)), due and overdue (as of `now` in `timeZone`) and any credit balance.
 */
export async function getCreditSummary(executor: Executor, retailerId: number, now: Date, timeZone: string): Promise<CreditSummary> {
  const today = businessDate(now, timeZone);
  const row = (
    await executor.raw<{ rows: { credit_limit_paisa: number; open_holds_paisa: number; receivable: number | null; due: number | null; overdue: number | null; open_orders: number }[] }>(
      `select r.credit_limit_paisa, r.open_holds_paisa,
              (select balance_paisa from ledger_accounts a where a.retailer_id = r.id and a.type = 'asset') as receivable,
              (select sum(total_paisa - paid_paisa) from orders o where o.retailer_id = r.id and o.status = 'DELIVERED' and o.paid_paisa < o.total_paisa) as due,
              (select sum(total_paisa - paid_paisa) from orders o where o.retailer_id = r.id and o.status = 'DELIVERED' and o.paid_paisa < o.total_paisa and o.due_date < ?::date) as overdue,
              (select count(*) from orders o where o.retailer_id = r.id and o.status in ('PENDING', 'ACCEPTED', 'DISPATCHED'))::int as open_orders
         from retailers r where r.id = ?`,
      [today, retailerId],
    )
  ).rows[0];
  if (!row) throw new DomainError("not_found", `no retailer with id ${retailerId}`, { retailerId });
  const figures = creditFigures({ limitPaisa: row.credit_limit_paisa, receivableBalancePaisa: row.receivable ?? 0, holdsPaisa: row.open_holds_paisa });
  return { ...figures, duePaisa: row.due ?? 0, overduePaisa: row.overdue ?? 0, openOrders: row.open_orders };
}
