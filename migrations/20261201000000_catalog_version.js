// @ts-check
// A one-row counter of catalog changes. Every statement that inserts, updates, deletes or
// truncates products bumps it (in the writer's transaction, so it commits with the change), and
// the bot compares it with the catalog it has cached: one primary-key read per message instead of
// a scan of the whole products table. A statement that matches no row bumps it too; that only
// costs a reload.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(`create table catalog_version (
    id boolean primary key default true constraint catalog_version_one_row check (id),
    version bigint not null)`);
  await knex.raw(`insert into catalog_version (id, version) values (true, 1)`);
  await knex.raw(`create function bump_catalog_version() returns trigger language plpgsql as $$
    begin
      update catalog_version set version = version + 1;
      return null;
    end
  $$`);
  await knex.raw(`create trigger products_bump_catalog_version
    after insert or update or delete or truncate on products
    for each statement execute function bump_catalog_version()`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop trigger if exists products_bump_catalog_version on products`);
  await knex.raw(`drop function if exists bump_catalog_version()`);
  await knex.schema.dropTableIfExists("catalog_version");
}
