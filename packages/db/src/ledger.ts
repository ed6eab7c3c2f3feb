import {
  assertBalanced,
  balanceDeltas,
  DomainError,
  deliveryPostings,
  holdsCredit,
  isOrderStatus,
  type LedgerAccountRef,
  ledgerAccountCode,
  ledgerAccountName,
  ledgerAccountType,
  type Posting,
} from "@khaacho/core";
import type { Knex } from "knex";
import { type Executor, inTransaction } from "./transaction.js";
import { SIDES } from "./settlement.js";

/** What a journal records; corrections are `*_reversal` journals pointing at the original. */
export type JournalKind = "order_delivery" | "payment" | "payment_reversal" | "vendor_settlement" | "vendor_settlement_reversal";

/** A journal to post: header and balanced postings. */
export interface JournalInput {
  kind: JournalKind;
  description: string;
  orderId?: number | null;
  reversesJournalId?: number | null;
  idempotencyKey?: string | null;
  businessDate: string;
  createdAt: Date;
  postings: readonly Posting[];
}

interface EntryRow {
  accountId: number;
  direction: "debit" | "credit";
  amountPaisa: number;
}

function accountColumns(ref: LedgerAccountRef): { code: string; name: string; type: string; retailer_id: number | null; vendor_id: number | null } {
  return {
    code: ledgerAccountCode(ref),
    name: ledgerAccountName(ref),
    type: ledgerAccountType(ref),
    retailer_id: ref.kind === "retailer_receivable" ? ref.retailerId : null,
    vendor_id: ref.kind === "vendor_payable" ? ref.vendorId : null,
  };
}

/**
 * Creates the accounts if they do not exist yet and locks them in id order (the one order every
 * use-case takes account locks in, so cached balance updates never deadlock). Returns id by code.
 */
async function lockAccounts(trx: Knex.Transaction, refs: readonly LedgerAccountRef[]): Promise<Map<string, number>> {
  const columns = [...new Map(refs.map((ref) => [ledgerAccountCode(ref), accountColumns(ref)])).values()];
  await trx.raw(
    `insert into ledger_accounts (code, name, type, retailer_id, vendor_id)
     select x.code, x.name, x.type, x.retailer_id, x.vendor_id
       from jsonb_to_recordset(?::jsonb) as x(code text, name text, type text, retailer_id bigint, vendor_id bigint)
     on conflict do nothing`,
    [JSON.stringify(columns)],
  );
  const locked = await trx.raw<{ rows: { id: number; code: string }[] }>(
    `select id, code from ledger_accounts where code in (select jsonb_array_elements_text(?::jsonb)) order by id for update`,
    [JSON.stringify(columns.map((c) => c.code))],
  );
  return new Map(locked.rows.map((r) => [r.code, r.id]));
}

// Writes a journal, its entries and the cached balances in one statement; the database checks
// again at commit that the journal balances.
async function writeJournal(trx: Knex.Transaction, input: Omit<JournalInput, "postings">, entries: readonly EntryRow[]): Promise<number> {
  const imbalance = entries.reduce((s, e) => s + (e.direction === "debit" ? e.amountPaisa : -e.amountPaisa), 0);
  if (entries.length < 2 || imbalance !== 0 || entries.some((e) => !Number.isSafeInteger(e.amountPaisa) || e.amountPaisa <= 0)) {
    throw new DomainError("ledger_invariant", `journal "${input.description}" does not balance (debits - credits = ${imbalance})`, { imbalance });
  }
  const deltas = new Map<number, number>();
  for (const e of entries) deltas.set(e.accountId, (deltas.get(e.accountId) ?? 0) + (e.direction === "debit" ? e.amountPaisa : -e.amountPaisa));
  const result = await trx.raw<{ rows: { id: number }[] }>(
    `with j as (
       insert into ledger_journals (kind, description, order_id, reverses_journal_id, idempotency_key, business_date, created_at)
       values (?, ?, ?::bigint, ?::bigint, ?, ?::date, ?::timestamptz) returning id),
     e as (
       insert into ledger_entries (journal_id, account_id, direction, amount_paisa)
       select j.id, x.account_id, x.direction, x.amount_paisa
         from j, jsonb_to_recordset(?::jsonb) as x(account_id bigint, direction text, amount_paisa bigint)),
     b as (
       update ledger_accounts a set balance_paisa = a.balance_paisa + x.delta
         from jsonb_to_recordset(?::jsonb) as x(id bigint, delta bigint) where a.id = x.id
       returning a.retailer_id, a.type, x.delta),
     r as (
       update retailers r set receivable_paisa = r.receivable_paisa + b.delta
         from b where b.retailer_id = r.id and b.type = 'asset')
     select id from j`,
    [
      input.kind,
      input.description,
      input.orderId ?? null,
      input.reversesJournalId ?? null,
      input.idempotencyKey ?? null,
      input.businessDate,
      input.createdAt.toISOString(),
      JSON.stringify(entries.map((e) => ({ account_id: e.accountId, direction: e.direction, amount_paisa: e.amountPaisa }))),
      JSON.stringify([...deltas].filter(([, delta]) => delta !== 0).map(([id, delta]) => ({ id, delta }))),
    ],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error("journal insert returned no id");
  return id;
}

/**
 * Posts a balanced journal inside the caller's transaction: checks the postings balance, creates
 * and locks the accounts, appends the journal and its entries and moves the cached balances.
 */
export async function postJournal(trx: Knex.Transaction, input: JournalInput): Promise<number> {
  assertBalanced(input.postings);
  const ids = await lockAccounts(
    trx,
    input.postings.map((p) => p.account),
  );
  const entries = input.postings.map((p): EntryRow => {
    const accountId = ids.get(ledgerAccountCode(p.account));
    if (accountId === undefined) throw new Error(`ledger account ${ledgerAccountCode(p.account)} was not created`);
    return { accountId, direction: p.direction, amountPaisa: p.amountPaisa };
  });
  return writeJournal(trx, input, entries);
}

/**
 * Posts the reversal of journal `journalId`: the same entries on the other side, pointing back at
 * it. A journal can be reversed once (the database keeps `reverses_journal_id` unique).
 */
export async function postReversal(
  trx: Knex.Transaction,
  input: { journalId: number; kind: JournalKind; description: string; idempotencyKey?: string | null; businessDate: string; createdAt: Date },
): Promise<number> {
  const original = await trx.raw<{ rows: { account_id: number; direction: "debit" | "credit"; amount_paisa: number; order_id: number | null }[] }>(
    `select e.account_id, e.direction, e.amount_paisa, j.order_id from ledger_entries e join ledger_journals j on j.id = e.journal_id where j.id = ? order by e.id`,
    [input.journalId],
  );
  if (original.rows.length === 0) throw new DomainError("not_found", `no ledger journal ${input.journalId}`, { journalId: input.journalId });
  const accountIds = [...new Set(original.rows.map((r) => r.account_id))].sort((a, b) => a - b);
  await trx.raw(`select id from ledger_accounts where id in (select jsonb_array_elements_text(?::jsonb)::bigint) order by id for update`, [JSON.stringify(accountIds)]);
  return writeJournal(
    trx,
    { ...input, orderId: original.rows[0]?.order_id ?? null, reversesJournalId: input.journalId },
    original.rows.map((r) => ({ accountId: r.account_id, direction: r.direction === "debit" ? "credit" : "debit", amountPaisa: r.amount_paisa })),
  );
}

/** An account with its cached balance (debit minus credit) and who it belongs to. */
export interface LedgerBalance {
  code: string;
  name: string;
  type: string;
  retailerCode: string | null;
  vendorCode: string | null;
  balancePaisa: number;
}

/** Every ledger account and its balance, by code. */
export async function ledgerBalances(executor: Executor): Promise<LedgerBalance[]> {
  const result = await executor.raw<{ rows: { code: string; name: string; type: string; retailer_code: string | null; vendor_code: string | null; balance_paisa: number }[] }>(
    `select a.code, a.name, a.type, r.code as retailer_code, v.code as vendor_code, a.balance_paisa
       from ledger_accounts a left join retailers r on r.id = a.retailer_id left join vendors v on v.id = a.vendor_id
      order by a.code`,
  );
  return result.rows.map((r) => ({ code: r.code, name: r.name, type: r.type, retailerCode: r.retailer_code, vendorCode: r.vendor_code, balancePaisa: r.balance_paisa }));
}

/** One line of a retailer's statement. */
export interface StatementLine {
  date: string;
  kind: JournalKind;
  /** The order number or payment reference. */
  reference: string | null;
  description: string;
  debitPaisa: number;
  creditPaisa: number;
  /** What the retailer owes after this line (negative: paid ahead). */
  balancePaisa: number;
}

/** A retailer's statement of account for a date range. */
export interface RetailerStatement {
  retailerId: number;
  from: string;
  to: string;
  openingBalancePaisa: number;
  lines: StatementLine[];
  totalDebitsPaisa: number;
  totalCreditsPaisa: number;
  closingBalancePaisa: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A retailer's receivable account between two business dates (inclusive): the opening balance,
 * every delivered order, payment and reversal with the running balance, and the closing balance.
 */
export async function retailerStatement(executor: Executor, input: { retailerId: number; from: string; to: string }): Promise<RetailerStatement> {
  for (const field of ["from", "to"] as const) {
    if (!DATE.test(input[field]) || Number.isNaN(Date.parse(input[field]))) {
      throw new DomainError("invalid_input", `${field} must be a date YYYY-MM-DD, got "${input[field]}"`, { field, value: input[field] });
    }
  }
  if (input.from > input.to) throw new DomainError("invalid_input", `from (${input.from}) must not be after to (${input.to})`, { field: "from" });
  const code = ledgerAccountCode({ kind: "retailer_receivable", retailerId: input.retailerId });
  const opening = await executor.raw<{ rows: { balance: number | null }[] }>(
    `select sum(case when e.direction = 'debit' then e.amount_paisa else -e.amount_paisa end) as balance
       from ledger_entries e join ledger_journals j on j.id = e.journal_id join ledger_accounts a on a.id = e.account_id
      where a.code = ? and j.business_date < ?::date`,
    [code, input.from],
  );
  const rows = await executor.raw<{
    rows: { business_date: string; kind: JournalKind; description: string; order_number: string | null; payment_reference: string | null; direction: string; amount_paisa: number }[];
  }>(
    `select j.business_date, j.kind, j.description, o.number as order_number,
            coalesce(p.reference, pr.reference) as payment_reference, e.direction, e.amount_paisa
       from ledger_entries e
       join ledger_journals j on j.id = e.journal_id
       join ledger_accounts a on a.id = e.account_id
       left join orders o on o.id = j.order_id
       left join payments p on p.journal_id = j.id
       left join payments pr on pr.reversal_journal_id = j.id
      where a.code = ? and j.business_date between ?::date and ?::date
      order by j.business_date, j.id, e.id`,
    [code, input.from, input.to],
  );
  const openingBalancePaisa = opening.rows[0]?.balance ?? 0;
  let balance = openingBalancePaisa;
  let totalDebitsPaisa = 0;
  let totalCreditsPaisa = 0;
  const lines = rows.rows.map((r): StatementLine => {
    const debitPaisa = r.direction === "debit" ? r.amount_paisa : 0;
    const creditPaisa = r.direction === "credit" ? r.amount_paisa : 0;
    balance += debitPaisa - creditPaisa;
    totalDebitsPaisa += debitPaisa;
    totalCreditsPaisa += creditPaisa;
    return { date: r.business_date, kind: r.kind, reference: r.order_number ?? r.payment_reference, description: r.description, debitPaisa, creditPaisa, balancePaisa: balance };
  });
  return { retailerId: input.retailerId, from: input.from, to: input.to, openingBalancePaisa, lines, totalDebitsPaisa, totalCreditsPaisa, closingBalancePaisa: balance };
}

// The violation kinds and wording of each side's money checks in verifyLedger.
const SETTLEMENT_CHECKS = [
  {
    side: "retailer",
    parties: "retailers",
    accountType: "asset",
    sign: 1,
    journalKind: "payment",
    fundsName: "payment",
    balanceName: "receivable",
    fundsViolation: "payment",
    paidViolation: "order_paid",
    balanceViolation: "receivable",
    allocationViolation: "allocation",
  },
  {
    side: "vendor",
    parties: "vendors",
    accountType: "liability",
    sign: -1,
    journalKind: "vendor_settlement",
    fundsName: "settlement",
    balanceName: "payable",
    fundsViolation: "vendor_settlement",
    paidViolation: "order_vendor_paid",
    balanceViolation: "vendor_payable",
    allocationViolation: "vendor_allocation",
  },
] as const;

/** One broken invariant found by verifyLedger. */
export interface LedgerViolation {
  kind: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * Recomputes the books from their rows and checks every invariant: each journal balances with at
 * least two entries; cached account balances equal the sums of their entries; each reversal mirrors
 * its original; each delivered order has exactly one delivery journal matching its totals and no
 * other order has one; holds match open orders (and the retailers' cached hold totals); reserved
 * stock matches the quantities of orders not yet dispatched; payments and vendor settlements agree
 * with their allocations, journals and the orders' paid amounts; each receivable equals delivered
 * totals minus payments and each vendor payable delivered costs minus settlements; every order's vendor
 * and every item's product exist; and each vendor's record counts its delivered and rejected orders.
 */
export async function verifyLedger(executor: Executor): Promise<{ ok: boolean; violations: LedgerViolation[]; checked: Record<string, number> }> {
  // One snapshot for every check, so a busy system does not show passing changes as violations.
  return inTransaction(
    executor,
    async (trx) => {
    const violations: LedgerViolation[] = [];
    const add = (kind: string, message: string, details: Record<string, unknown>) => violations.push({ kind, message, details });
    const rows = async <T>(sql: string, bindings: readonly Knex.RawBinding[] = []) => (await trx.raw<{ rows: T[] }>(sql, bindings)).rows;

    for (const j of await rows<{ id: number; kind: string; imbalance: number; entries: number }>(
      `select j.id, j.kind, coalesce(sum(case when e.direction = 'debit' then e.amount_paisa else -e.amount_paisa end), 0) as imbalance, count(e.id)::int as entries
         from ledger_journals j left join ledger_entries e on e.journal_id = j.id
        group by j.id having coalesce(sum(case when e.direction = 'debit' then e.amount_paisa else -e.amount_paisa end), 0) <> 0 or count(e.id) < 2`,
    )) {
      add("unbalanced_journal", `journal ${j.id} (${j.kind}) does not balance: debits - credits = ${j.imbalance} over ${j.entries} entries`, { journalId: j.id, imbalance: j.imbalance, entries: j.entries });
    }

    for (const a of await rows<{ code: string; cached: number; computed: number }>(
      `select a.code, a.balance_paisa as cached, coalesce(s.computed, 0) as computed
         from ledger_accounts a
         left join (select account_id, sum(case when direction = 'debit' then amount_paisa else -amount_paisa end) as computed from ledger_entries group by account_id) s
           on s.account_id = a.id
        where a.balance_paisa <> coalesce(s.computed, 0)`,
    )) {
      add("cached_balance", `account ${a.code} caches ${a.cached} paisa but its entries sum to ${a.computed}`, { account: a.code, cachedPaisa: a.cached, computedPaisa: a.computed });
    }

    const reversalNets = new Map<number, { reverses: number; net: Map<number, number> }>();
    for (const r of await rows<{ id: number; reverses: number; account_id: number; amount: number }>(
      `select j.id, j.reverses_journal_id as reverses, e.account_id,
              sum(case when e.direction = 'debit' then e.amount_paisa else -e.amount_paisa end) as amount
         from ledger_journals j join ledger_entries e on e.journal_id in (j.id, j.reverses_journal_id)
        where j.reverses_journal_id is not null
        group by j.id, j.reverses_journal_id, e.account_id`,
    )) {
      let entry = reversalNets.get(r.id);
      if (!entry) reversalNets.set(r.id, (entry = { reverses: r.reverses, net: new Map() }));
      entry.net.set(r.account_id, r.amount);
    }
    for (const [id, { reverses, net }] of reversalNets) {
      if ([...net.values()].some((amount) => amount !== 0)) {
        add("reversal_mismatch", `journal ${id} does not exactly reverse journal ${reverses}`, { journalId: id, reversesJournalId: reverses });
      }
    }

    const orders = await rows<{
      id: number;
      number: string;
      status: string;
      retailer_id: number;
      vendor_id: number;
      subtotal_paisa: number;
      vat_paisa: number;
      total_paisa: number;
      cost_paisa: number;
      paid_paisa: number;
      hold_status: string | null;
      hold_paisa: number | null;
      hold_retailer: number | null;
      items_paisa: number | null;
      items_cost: number | null;
    }>(
      `select o.id, o.number, o.status, o.retailer_id, o.vendor_id, o.subtotal_paisa, o.vat_paisa, o.total_paisa, o.cost_paisa, o.paid_paisa,
              h.status as hold_status, h.amount_paisa as hold_paisa, h.retailer_id as hold_retailer,
              (select sum(line_total_paisa) from order_items i where i.order_id = o.id) as items_paisa,
              (select sum(quantity * unit_cost_paisa) from order_items i where i.order_id = o.id) as items_cost
         from orders o left join credit_holds h on h.order_id = o.id order by o.id`,
    );
    const deliveryJournals = await rows<{ order_id: number; journals: number }>(
      `select order_id, count(*)::int as journals from ledger_journals where kind = 'order_delivery' and reverses_journal_id is null group by order_id`,
    );
    const journalsByOrder = new Map(deliveryJournals.map((r) => [r.order_id, r.journals]));
    const postedByOrder = new Map<number, Map<string, number>>();
    for (const p of await rows<{ order_id: number; code: string; amount: number }>(
      `select j.order_id, a.code, sum(case when e.direction = 'debit' then e.amount_paisa else -e.amount_paisa end) as amount
         from ledger_journals j join ledger_entries e on e.journal_id = j.id join ledger_accounts a on a.id = e.account_id
        where j.kind = 'order_delivery' group by j.order_id, a.code`,
    )) {
      let m = postedByOrder.get(p.order_id);
      if (!m) postedByOrder.set(p.order_id, (m = new Map()));
      if (p.amount !== 0) m.set(p.code, p.amount);
    }
    for (const o of orders) {
      if (!isOrderStatus(o.status)) continue;
      if ((o.items_paisa ?? 0) !== o.subtotal_paisa || (o.items_cost ?? 0) !== o.cost_paisa) {
        add("order_totals", `order ${o.number}: items sum to ${o.items_paisa ?? 0} (cost ${o.items_cost ?? 0}) but the order says ${o.subtotal_paisa} (cost ${o.cost_paisa})`, {
          number: o.number,
        });
      }
      const expected = o.status === "DELIVERED" ? balanceDeltas(deliveryPostings({ retailerId: o.retailer_id, vendorId: o.vendor_id, subtotalPaisa: o.subtotal_paisa, vatPaisa: o.vat_paisa, costPaisa: o.cost_paisa })) : new Map<string, number>();
      for (const [code, amount] of [...expected]) if (amount === 0) expected.delete(code);
      const posted = postedByOrder.get(o.id) ?? new Map<string, number>();
      const journals = journalsByOrder.get(o.id) ?? 0;
      const expectedJournals = o.status === "DELIVERED" && expected.size > 0 ? 1 : 0;
      const same = expected.size === posted.size && [...expected].every(([code, amount]) => posted.get(code) === amount);
      if (journals !== expectedJournals || !same) {
        add("order_postings", `order ${o.number} (${o.status}, total ${o.total_paisa}) has ${journals} delivery journal(s) posting ${JSON.stringify(Object.fromEntries(posted))}, expected ${JSON.stringify(Object.fromEntries(expected))}`, {
          number: o.number,
          status: o.status,
          expected: Object.fromEntries(expected),
          posted: Object.fromEntries(posted),
        });
      }
      const wantHold = holdsCredit(o.status) ? "OPEN" : o.status === "DELIVERED" ? "CONVERTED" : "RELEASED";
      if (o.total_paisa > 0 && (o.hold_status !== wantHold || o.hold_paisa !== o.total_paisa || o.hold_retailer !== o.retailer_id)) {
        add("credit_hold", `order ${o.number} (${o.status}, total ${o.total_paisa}) has hold ${o.hold_status ?? "none"} of ${o.hold_paisa ?? 0}, expected ${wantHold} of ${o.total_paisa}`, {
          number: o.number,
          status: o.status,
          holdStatus: o.hold_status,
          holdPaisa: o.hold_paisa,
        });
      }
    }

    for (const r of await rows<{ code: string; cached: number; balance: number }>(
      `select r.code, r.receivable_paisa as cached, coalesce(a.balance_paisa, 0) as balance
         from retailers r left join ledger_accounts a on a.retailer_id = r.id and a.type = 'asset'
        where r.receivable_paisa <> coalesce(a.balance_paisa, 0)`,
    )) {
      add("retailer_receivable", `retailer ${r.code} caches a receivable of ${r.cached} paisa but its ledger account holds ${r.balance}`, { retailer: r.code, cachedPaisa: r.cached, balancePaisa: r.balance });
    }

    for (const r of await rows<{ code: string; cached: number; open: number }>(
      `select r.code, r.open_holds_paisa as cached, coalesce(h.open, 0) as open
         from retailers r left join (select retailer_id, sum(amount_paisa) as open from credit_holds where status = 'OPEN' group by retailer_id) h on h.retailer_id = r.id
        where r.open_holds_paisa <> coalesce(h.open, 0)`,
    )) {
      add("retailer_holds", `retailer ${r.code} caches ${r.cached} paisa of open holds but its open holds sum to ${r.open}`, { retailer: r.code, cachedPaisa: r.cached, openPaisa: r.open });
    }

    for (const s of await rows<{ id: number; vendor: string; sku: string; reserved: number; expected: number }>(
      `select vp.id, v.code as vendor, p.sku, vp.reserved, coalesce(x.q, 0) as expected
         from vendor_products vp join vendors v on v.id = vp.vendor_id join products p on p.id = vp.product_id
         left join (select o.vendor_id, i.product_id, sum(i.quantity) as q from orders o join order_items i on i.order_id = o.id
                     where o.status in ('PENDING', 'ACCEPTED') group by o.vendor_id, i.product_id) x
           on x.vendor_id = vp.vendor_id and x.product_id = vp.product_id
        where vp.reserved <> coalesce(x.q, 0)`,
    )) {
      add("reserved_stock", `vendor ${s.vendor} has ${s.reserved} of ${s.sku} reserved but its open orders hold ${s.expected}`, { vendor: s.vendor, sku: s.sku, reserved: s.reserved, expected: s.expected });
    }

    // No foreign key holds these (migration 20261203000000): vendors and products are never deleted.
    for (const d of await rows<{ number: string; what: string; id: number }>(
      `select o.number, 'vendor' as what, o.vendor_id as id from orders o where not exists (select 1 from vendors v where v.id = o.vendor_id)
       union all
       select o.number, 'product', i.product_id from order_items i join orders o on o.id = i.order_id
        where not exists (select 1 from products p where p.id = i.product_id)`,
    )) {
      add("dangling_reference", `order ${d.number} refers to ${d.what} ${d.id}, which does not exist`, { number: d.number, [`${d.what}Id`]: d.id });
    }

    // Money in from retailers and out to vendors: each payment (settlement) agrees with its
    // allocations and its journal, each order's paid amount with what was allocated to it, and each
    // party's account with its delivered orders, its money and what is still unallocated.
    for (const side of SETTLEMENT_CHECKS) {
      const t = SIDES[side.side];
      for (const p of await rows<{ reference: string; allocated: number; sum: number; journal_ok: boolean; reversal_ok: boolean }>(
        `select p.reference, p.allocated_paisa as allocated, coalesce(a.sum, 0) as sum,
                exists (select 1 from ledger_journals j where j.id = p.journal_id and j.kind = '${side.journalKind}') as journal_ok,
                (p.reversal_journal_id is null or exists (select 1 from ledger_journals j where j.id = p.reversal_journal_id and j.reverses_journal_id = p.journal_id)) as reversal_ok
           from ${t.funds} p left join (select ${t.fundsKey}, sum(amount_paisa) as sum from ${t.allocations} where reversed_at is null group by ${t.fundsKey}) a on a.${t.fundsKey} = p.id
          where p.allocated_paisa <> coalesce(a.sum, 0) or (p.reversed_at is not null and p.allocated_paisa <> 0)
             or not exists (select 1 from ledger_journals j where j.id = p.journal_id and j.kind = '${side.journalKind}')
             or not (p.reversal_journal_id is null or exists (select 1 from ledger_journals j where j.id = p.reversal_journal_id and j.reverses_journal_id = p.journal_id))`,
      )) {
        add(side.fundsViolation, `${side.fundsName} ${p.reference}: allocated ${p.allocated} but allocations sum to ${p.sum}${p.journal_ok ? "" : `; no ${side.journalKind} journal`}${p.reversal_ok ? "" : "; reversal journal does not reverse it"}`, {
          reference: p.reference,
          allocatedPaisa: p.allocated,
          allocationsPaisa: p.sum,
        });
      }
      for (const j of await rows<{ id: number }>(
        `select j.id from ledger_journals j where j.kind = '${side.journalKind}' and not exists (select 1 from ${t.funds} p where p.journal_id = j.id)`,
      )) {
        add(side.fundsViolation, `journal ${j.id} (${side.journalKind}) has no ${side.fundsName} row`, { journalId: j.id });
      }

      for (const o of await rows<{ number: string; paid: number; sum: number; status: string }>(
        `select o.number, o.${t.paid} as paid, coalesce(a.sum, 0) as sum, o.status
           from orders o left join (select order_id, sum(amount_paisa) as sum from ${t.allocations} where reversed_at is null group by order_id) a on a.order_id = o.id
          where o.${t.paid} <> coalesce(a.sum, 0) or (o.status <> 'DELIVERED' and o.${t.paid} <> 0)`,
      )) {
        add(side.paidViolation, `order ${o.number} (${o.status}) says ${o.paid} paid${side.side === "vendor" ? " to its vendor" : ""} but its allocations sum to ${o.sum}`, {
          number: o.number,
          paidPaisa: o.paid,
          allocationsPaisa: o.sum,
        });
      }

      // Receivables are debit balances, payables credit balances: `sign` turns either into "owed".
      for (const r of await rows<{ code: string; owed: number; expected: number; free: number; unpaid: number }>(
        `select x.code, ${side.sign} * coalesce(a.balance_paisa, 0) as owed,
                coalesce((select sum(${t.owed}) from orders o where o.${t.party} = x.id and o.status = 'DELIVERED'), 0)
                  - coalesce((select sum(amount_paisa) from ${t.funds} p where p.${t.party} = x.id and p.reversed_at is null), 0) as expected,
                coalesce((select sum(amount_paisa - allocated_paisa) from ${t.funds} p where p.${t.party} = x.id and p.reversed_at is null), 0) as free,
                coalesce((select sum(${t.owed} - ${t.paid}) from orders o where o.${t.party} = x.id and o.status = 'DELIVERED'), 0) as unpaid
           from ${side.parties} x left join ledger_accounts a on a.${t.party} = x.id and a.type = '${side.accountType}'`,
      )) {
        if (r.owed !== r.expected) {
          add(side.balanceViolation, `${side.side} ${r.code}: ${side.balanceName} is ${r.owed} paisa but delivered orders minus ${side.fundsName}s is ${r.expected}`, {
            [side.side]: r.code,
            balancePaisa: r.owed,
            expectedPaisa: r.expected,
          });
        }
        if (r.owed !== r.unpaid - r.free) {
          add(side.allocationViolation, `${side.side} ${r.code}: unpaid orders (${r.unpaid}) minus unallocated ${side.fundsName}s (${r.free}) do not equal the ${side.balanceName} (${r.owed})`, {
            [side.side]: r.code,
          });
        }
        if (r.free > 0 && r.unpaid > 0) {
          add(side.allocationViolation, `${side.side} ${r.code} has ${r.free} paisa of unallocated ${side.fundsName}s while ${r.unpaid} paisa of delivered orders are unpaid`, {
            [side.side]: r.code,
            freePaisa: r.free,
            unpaidPaisa: r.unpaid,
          });
        }
      }
    }

    for (const v of await rows<{ code: string; delivered: number; rejected: number; delivered_count: number; rejected_count: number }>(
      `select v.code, v.delivered_orders as delivered, v.rejected_orders as rejected,
              count(o.id) filter (where o.status = 'DELIVERED')::int as delivered_count, count(o.id) filter (where o.status = 'REJECTED')::int as rejected_count
         from vendors v left join orders o on o.vendor_id = v.id and o.status in ('DELIVERED', 'REJECTED')
        group by v.id, v.code, v.delivered_orders, v.rejected_orders
       having v.delivered_orders <> count(o.id) filter (where o.status = 'DELIVERED') or v.rejected_orders <> count(o.id) filter (where o.status = 'REJECTED')`,
    )) {
      add(
        "vendor_record",
        `vendor ${v.code} records ${v.delivered} delivered and ${v.rejected} rejected orders, but its orders show ${v.delivered_count} and ${v.rejected_count}`,
        { vendor: v.code, delivered: v.delivered, rejected: v.rejected, deliveredOrders: v.delivered_count, rejectedOrders: v.rejected_count },
      );
    }

    const counts = (await rows<{ journals: number; entries: number; orders: number; accounts: number }>(
      `select (select count(*) from ledger_journals)::int as journals, (select count(*) from ledger_entries)::int as entries,
              (select count(*) from orders)::int as orders, (select count(*) from ledger_accounts)::int as accounts`,
    ))[0] ?? { journals: 0, entries: 0, orders: 0, accounts: 0 };
    return { ok: violations.length === 0, violations, checked: { ...counts } };
    },
    { isolationLevel: "repeatable read" },
  );
}
