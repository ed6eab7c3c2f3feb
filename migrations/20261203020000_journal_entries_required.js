// @ts-check
// A journal with no entries could be committed: the balance check ran once per entry inserted, so
// a journal that got none was never checked. Each new journal is now checked too, when its
// transaction commits, with the same rule: at least two entries, debits equal to credits.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(`
    create function ledger_check_journal_balanced() returns trigger language plpgsql as $$
    declare
      imbalance bigint;
      entry_count integer;
    begin
      select coalesce(sum(case when direction = 'debit' then amount_paisa else -amount_paisa end), 0), count(*)
        into imbalance, entry_count
        from ledger_entries where journal_id = new.id;
      if imbalance <> 0 or entry_count < 2 then
        raise exception 'journal % does not balance (debits - credits = %, % entries)', new.id, imbalance, entry_count
          using errcode = 'check_violation';
      end if;
      return null;
    end $$
  `);
  await knex.raw(`
    create constraint trigger ledger_journals_balanced after insert on ledger_journals
      deferrable initially deferred for each row execute function ledger_check_journal_balanced()
  `);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop trigger ledger_journals_balanced on ledger_journals`);
  await knex.raw(`drop function ledger_check_journal_balanced()`);
}
