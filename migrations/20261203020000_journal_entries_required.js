// @ts-check
// A journal with no entries could be committed: the balance check ran once per entry inserted, so
// a journal that got none was never checked. Each new journal is now checked too, when its
// transaction commits, by the same rule: the entries' trigger function and the journals' one both
// call one check (at least two entries, debits equal to credits).

import { LEDGER_CHECK_BALANCED } from "./20261125000000_initial.js";

const CHECK = `
  create function ledger_assert_balanced(p_journal_id bigint) returns void language plpgsql as $$
  declare
    imbalance bigint;
    entry_count integer;
  begin
    select coalesce(sum(case when direction = 'debit' then amount_paisa else -amount_paisa end), 0), count(*)
      into imbalance, entry_count
      from ledger_entries where journal_id = p_journal_id;
    if imbalance <> 0 or entry_count < 2 then
      raise exception 'journal % does not balance (debits - credits = %, % entries)', p_journal_id, imbalance, entry_count
        using errcode = 'check_violation';
    end if;
  end $$`;

/**
 * The trigger function for rows of a table whose column `column` names the journal.
 * @param {string} name
 * @param {string} column
 */
const triggerFunction = (name, column) => `
  create or replace function ${name}() returns trigger language plpgsql as $$
  begin
    perform ledger_assert_balanced(new.${column});
    return null;
  end $$`;

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(CHECK);
  await knex.raw(triggerFunction("ledger_check_balanced", "journal_id"));
  await knex.raw(triggerFunction("ledger_check_journal_balanced", "id"));
  await knex.raw(`
    create constraint trigger ledger_journals_balanced after insert on ledger_journals
      deferrable initially deferred for each row execute function ledger_check_journal_balanced()
  `);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop trigger ledger_journals_balanced on ledger_journals`);
  await knex.raw(`drop function ledger_check_journal_balanced()`);
  await knex.raw(LEDGER_CHECK_BALANCED.replace("create function", "create or replace function"));
  await knex.raw(`drop function ledger_assert_balanced(bigint)`);
}
