// @ts-check
// The retailer's receivable balance, cached on the retailer row next to its open holds, so order
// placement reads everything its credit check needs from the one row it locks first. Kept equal
// to the receivable ledger account in the same transaction; `khaacho ledger verify` checks it.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.schema.alterTable("retailers", (t) => {
    t.bigInteger("receivable_paisa").notNullable().defaultTo(0);
  });
  await knex.raw(`
    update retailers r set receivable_paisa = a.balance_paisa
      from ledger_accounts a where a.retailer_id = r.id and a.type = 'asset'
  `);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable("retailers", (t) => {
    t.dropColumn("receivable_paisa");
  });
}
