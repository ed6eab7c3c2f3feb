// @ts-check
// A vendor's record: how many of its orders it delivered and how many it rejected. Placement
// breaks a tie on cost by it (the better record first, then the lower vendor id), so a vendor
// that turns orders away loses ties to one that fills them. The counts move with the order's
// status change, in its transaction; `khaacho ledger verify` recounts them from the orders.
//
// Vendors still bump the catalog version when something placement remembers of them changes
// (code, name, phone, status), but no longer on every update: a delivery updating the counts
// must not make every placement process and the bot read the catalog again.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(`alter table vendors
    add column delivered_orders bigint not null default 0 constraint vendors_delivered_orders_check check (delivered_orders >= 0),
    add column rejected_orders bigint not null default 0 constraint vendors_rejected_orders_check check (rejected_orders >= 0)`);
  await knex.raw(`drop trigger vendors_bump_catalog_version on vendors`);
  await knex.raw(`update vendors v
       set delivered_orders = (select count(*) from orders o where o.vendor_id = v.id and o.status = 'DELIVERED'),
           rejected_orders = (select count(*) from orders o where o.vendor_id = v.id and o.status = 'REJECTED')`);
  await knex.raw(`create trigger vendors_bump_catalog_version
    after insert or delete or truncate on vendors
    for each statement execute function bump_catalog_version()`);
  await knex.raw(`create trigger vendors_update_bump_catalog_version
    after update of code, name, phone, status on vendors
    for each statement execute function bump_catalog_version()`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop trigger vendors_update_bump_catalog_version on vendors`);
  await knex.raw(`drop trigger vendors_bump_catalog_version on vendors`);
  await knex.raw(`alter table vendors drop column delivered_orders, drop column rejected_orders`);
  await knex.raw(`create trigger vendors_bump_catalog_version
    after insert or update or delete or truncate on vendors
    for each statement execute function bump_catalog_version()`);
}
