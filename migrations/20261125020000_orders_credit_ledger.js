// @ts-check
// Orders, credit and the ledger: cached figures that keep order placement to a few round trips,
// each recomputed by `khaacho ledger verify`, and what payment reversals need.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  // Sum of the retailer's OPEN credit holds, kept on the row placement locks anyway, so the credit
  // check reads it with the lock instead of summing holds.
  await knex.schema.alterTable("retailers", (t) => {
    t.bigInteger("open_holds_paisa").notNullable().defaultTo(0);
  });
  await knex.raw(`alter table retailers add constraint retailers_open_holds_check check (open_holds_paisa >= 0)`);

  // How much of a payment is applied to orders (the rest is the retailer's credit balance), and
  // its reversal, if it was reversed.
  await knex.schema.alterTable("payments", (t) => {
    t.bigInteger("allocated_paisa").notNullable().defaultTo(0);
    t.text("actor");
    t.timestamp("reversed_at", { useTz: true });
    t.bigInteger("reversal_journal_id").references("ledger_journals.id");
  });
  await knex.raw(`
    alter table payments
      add constraint payments_allocated_check check (allocated_paisa >= 0 and allocated_paisa <= amount_paisa),
      add constraint payments_reversal_check check ((reversed_at is null) = (reversal_journal_id is null))
  `);
  await knex.raw(`create index payments_unallocated_idx on payments (retailer_id, received_at) where reversed_at is null and allocated_paisa < amount_paisa`);

  // Allocations of a reversed payment stay as history, marked reversed.
  await knex.schema.alterTable("payment_allocations", (t) => {
    t.timestamp("reversed_at", { useTz: true });
  });

  await knex.raw(`create index orders_unpaid_idx on orders (retailer_id, delivered_at) where status = 'DELIVERED' and paid_paisa < total_paisa`);
  await knex.raw(`create index ledger_journals_business_date_idx on ledger_journals (business_date)`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw("drop index if exists ledger_journals_business_date_idx");
  await knex.raw("drop index if exists orders_unpaid_idx");
  await knex.schema.alterTable("payment_allocations", (t) => {
    t.dropColumn("reversed_at");
  });
  await knex.raw("drop index if exists payments_unallocated_idx");
  await knex.raw("alter table payments drop constraint if exists payments_allocated_check, drop constraint if exists payments_reversal_check");
  await knex.schema.alterTable("payments", (t) => {
    t.dropColumn("reversal_journal_id");
    t.dropColumn("reversed_at");
    t.dropColumn("actor");
    t.dropColumn("allocated_paisa");
  });
  await knex.raw("alter table retailers drop constraint if exists retailers_open_holds_check");
  await knex.schema.alterTable("retailers", (t) => {
    t.dropColumn("open_holds_paisa");
  });
}
