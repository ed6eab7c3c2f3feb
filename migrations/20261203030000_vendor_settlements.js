// @ts-check
// Vendor settlements, kept like retailer payments: each settlement is a row (its reference is the
// idempotency key) beside its journal, applied to the vendor's delivered orders oldest first, so
// every order knows how much of its cost has been paid to the vendor. Money paid ahead of
// deliveries stays unallocated (an advance) and is applied to the next deliveries. A settlement
// entered by mistake is undone by a reversal journal; its allocations stay as history, marked
// reversed. `khaacho ledger verify` recomputes all of it.
//
// Settlements recorded before this migration (journals of kind vendor_settlement) get their rows
// here and are applied to the orders delivered so far.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(`create table vendor_settlements (
    id bigserial primary key,
    vendor_id bigint not null references vendors (id),
    amount_paisa bigint not null constraint vendor_settlements_amount_check check (amount_paisa > 0),
    method text not null constraint vendor_settlements_method_check check (method in ('cash', 'bank', 'esewa', 'khalti')),
    reference text not null constraint vendor_settlements_reference_key unique,
    journal_id bigint not null references ledger_journals (id),
    allocated_paisa bigint not null default 0,
    business_date date not null,
    paid_at timestamptz not null,
    created_at timestamptz not null default now(),
    actor text,
    reversed_at timestamptz,
    reversal_journal_id bigint references ledger_journals (id),
    constraint vendor_settlements_allocated_check check (allocated_paisa >= 0 and allocated_paisa <= amount_paisa),
    constraint vendor_settlements_reversal_check check ((reversed_at is null) = (reversal_journal_id is null))
  )`);
  await knex.raw(`create index vendor_settlements_vendor_idx on vendor_settlements (vendor_id, paid_at)`);
  await knex.raw(`create index vendor_settlements_unallocated_idx on vendor_settlements (vendor_id, paid_at) where reversed_at is null and allocated_paisa < amount_paisa`);
  await knex.raw(`create table vendor_settlement_allocations (
    id bigserial primary key,
    settlement_id bigint not null references vendor_settlements (id),
    order_id bigint not null references orders (id),
    amount_paisa bigint not null constraint vendor_settlement_allocations_amount_check check (amount_paisa > 0),
    created_at timestamptz not null default now(),
    reversed_at timestamptz
  )`);
  await knex.raw(`create index vendor_settlement_allocations_order_idx on vendor_settlement_allocations (order_id)`);
  await knex.raw(`create index vendor_settlement_allocations_settlement_idx on vendor_settlement_allocations (settlement_id)`);
  await knex.raw(`alter table orders add column vendor_paid_paisa bigint not null default 0,
    add constraint orders_vendor_paid_check check (vendor_paid_paisa >= 0 and vendor_paid_paisa <= cost_paisa)`);
  await knex.raw(`create index orders_vendor_unpaid_idx on orders (vendor_id, delivered_at) where status = 'DELIVERED' and vendor_paid_paisa < cost_paisa`);

  // Settlements recorded as journals only: the payable debit names the vendor, the funds credit the method.
  // (A journal reversing one marks it reversed: that happens when this migration is rolled back and run again.)
  await knex.raw(`insert into vendor_settlements (vendor_id, amount_paisa, method, reference, journal_id, business_date, paid_at, created_at, reversed_at, reversal_journal_id)
    select a.vendor_id, d.amount_paisa, substr(fa.code, length('asset:') + 1), substr(j.idempotency_key, length('settlement:') + 1), j.id, j.business_date, j.created_at, j.created_at,
           r.created_at, r.id
      from ledger_journals j
      left join ledger_journals r on r.reverses_journal_id = j.id
      join ledger_entries d on d.journal_id = j.id and d.direction = 'debit'
      join ledger_accounts a on a.id = d.account_id and a.vendor_id is not null
      join ledger_entries c on c.journal_id = j.id and c.direction = 'credit'
      join ledger_accounts fa on fa.id = c.account_id and fa.code like 'asset:%'
     where j.kind = 'vendor_settlement' and j.reverses_journal_id is null and j.idempotency_key like 'settlement:%'`);
  // Oldest money to the oldest delivery: each settlement and each order is a stretch of its
  // vendor's running total; an allocation is where a settlement's stretch overlaps an order's.
  await knex.raw(`with f as (
      select id, vendor_id, sum(amount_paisa) over w - amount_paisa as s, sum(amount_paisa) over w as e
        from vendor_settlements where reversed_at is null window w as (partition by vendor_id order by paid_at, id)),
    o as (
      select id, vendor_id, sum(cost_paisa) over w - cost_paisa as s, sum(cost_paisa) over w as e
        from orders where status = 'DELIVERED' and cost_paisa > 0 window w as (partition by vendor_id order by delivered_at, id)),
    x as (
      select f.id as settlement_id, o.id as order_id, least(f.e, o.e) - greatest(f.s, o.s) as amount
        from f join o on o.vendor_id = f.vendor_id and f.s < o.e and o.s < f.e),
    a as (insert into vendor_settlement_allocations (settlement_id, order_id, amount_paisa) select settlement_id, order_id, amount from x),
    u as (update vendor_settlements v set allocated_paisa = s.amount
            from (select settlement_id, sum(amount) as amount from x group by settlement_id) s where v.id = s.settlement_id)
    update orders o set vendor_paid_paisa = s.amount
      from (select order_id, sum(amount) as amount from x group by order_id) s where o.id = s.order_id`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop index orders_vendor_unpaid_idx`);
  await knex.raw(`alter table orders drop constraint orders_vendor_paid_check, drop column vendor_paid_paisa`);
  await knex.raw(`drop table vendor_settlement_allocations`);
  await knex.raw(`drop table vendor_settlements`);
}
