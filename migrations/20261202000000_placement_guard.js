// @ts-check
// Order placement writes everything in one statement that re-checks, on the newest row versions,
// what it decided from an unlocked read: the retailer's credit and status, each offer's stock and
// cost. When a check fails (another placement took the stock or the credit in between) the
// statement must abort as a whole, and plain SQL cannot raise an error: this function does, with
// its own SQLSTATE (KH409), which placement catches to read again and decide again.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(`create function khaacho_guard(ok boolean, what text) returns boolean language plpgsql volatile as $$
    begin
      if ok is not true then
        raise exception using errcode = 'KH409', message = 'placement conflict: ' || what;
      end if;
      return true;
    end
  $$`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop function if exists khaacho_guard(boolean, text)`);
}
