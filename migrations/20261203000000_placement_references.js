// @ts-check
// What an order refers to, held without locking the vendor's row or the products' rows.
//
// A foreign key check takes a KEY SHARE lock on the row it finds. Every order of a vendor locked
// that vendor's one row, and every line its product's row: with orders placed at once those locks
// pile up on the same few rows as multixacts, each one a heap lock record in the WAL and a dirtied
// page. The order and its items keep their vendor and products by other means, as strong:
//
// - Vendors and products are never deleted (nor truncated): the database refuses it, and
//   deactivating is the way to retire one (`vendors.status`, `products.active`).
// - Placement writes an order only for a vendor and products whose offers it updates in the same
//   transaction: `khaacho_place_order` now also requires each updated offer to be that vendor's
//   offer of that line's product (else KH409: placement reads afresh), and offers keep their
//   foreign keys to both.
// - `khaacho ledger verify` reports any order or item whose vendor or product is missing.
//
// The retailer's row is locked and updated by placement anyway, so the order's and the hold's
// keys to it stay, as do the items', event's and hold's keys to the order written just before.
//
// The outbox's provider message id is unique only where there is one: a message not yet sent no
// longer adds a null to that index.

import { PLACE_ORDER_STEPS } from "./20261202010000_place_order_function.js";
import { PLACE_ORDER_HEAD, PLACE_ORDER_WRITES_FIRST } from "./20261202020000_place_order_cached.js";

const { writes, tail } = PLACE_ORDER_STEPS;

// The head also requires one item per offer, so that every item is checked against its offer.
const head = PLACE_ORDER_HEAD.replace(
  "or array_length(p_costs, 1) is distinct from array_length(p_offer_ids, 1) then",
  "or array_length(p_costs, 1) is distinct from array_length(p_offer_ids, 1)\n         or jsonb_array_length(p_items) is distinct from array_length(p_offer_ids, 1) then",
);

// The retailer first (the earlier step's update, as it was), then the offers by id, each the given
// vendor's offer of the product on the item in the same position.
const retailerStep = PLACE_ORDER_STEPS.locks.slice(0, PLACE_ORDER_STEPS.locks.indexOf("      for offer in"));
const locks = `${retailerStep}      for offer in select x.id, x.quantity, x.cost, (p_items -> (x.line::int - 1) ->> 'product_id')::bigint as product_id
                     from unnest(p_offer_ids, p_quantities, p_costs) with ordinality as x(id, quantity, cost, line) order by x.id loop
        update vendor_products set stock = stock - offer.quantity, reserved = reserved + offer.quantity, updated_at = p_at
         where id = offer.id and vendor_id = p_vendor_id and product_id = offer.product_id and stock >= offer.quantity and cost_paisa = offer.cost;
        if not found then
          -- Either way placement reads afresh: an offer removed or moved since its read is as much
          -- a conflict as stock another placement took.
          perform 1 from vendor_products where id = offer.id and vendor_id = p_vendor_id and product_id = offer.product_id;
          if not found then
            raise exception using errcode = 'KH409', message = format('placement conflict: offer %s is not vendor %s''s offer of product %s', offer.id, p_vendor_id, offer.product_id);
          end if;
          raise exception using errcode = 'KH409', message = format('placement conflict: offer %s no longer has %s in stock at cost %s paisa', offer.id, offer.quantity, offer.cost);
        end if;
      end loop;`;

export const PLACE_ORDER_CHECKED = [head, writes, locks, tail].join("\n");

const NEVER_DELETED = ["vendors", "products"];

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(`create function khaacho_never_deleted() returns trigger language plpgsql as $$
    begin
      raise exception using errcode = '23503',
        message = format('%s are never deleted: orders refer to them; deactivate one instead', tg_table_name);
    end
  $$`);
  for (const table of NEVER_DELETED) {
    await knex.raw(`create trigger ${table}_never_deleted before delete on ${table} for each row execute function khaacho_never_deleted()`);
    await knex.raw(`create trigger ${table}_never_truncated before truncate on ${table} for each statement execute function khaacho_never_deleted()`);
  }
  await knex.raw(`alter table orders drop constraint orders_vendor_id_foreign`);
  await knex.raw(`alter table order_items drop constraint order_items_product_id_foreign`);
  await knex.raw(PLACE_ORDER_CHECKED);
  await knex.raw(`alter table outbox drop constraint outbox_provider_sid_unique`);
  await knex.raw(`create unique index outbox_provider_sid_unique on outbox (provider_sid) where provider_sid is not null`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop index outbox_provider_sid_unique`);
  await knex.raw(`alter table outbox add constraint outbox_provider_sid_unique unique (provider_sid)`);
  await knex.raw(PLACE_ORDER_WRITES_FIRST);
  await knex.raw(`alter table order_items add constraint order_items_product_id_foreign foreign key (product_id) references products (id)`);
  await knex.raw(`alter table orders add constraint orders_vendor_id_foreign foreign key (vendor_id) references vendors (id)`);
  for (const table of NEVER_DELETED) {
    await knex.raw(`drop trigger ${table}_never_truncated on ${table}`);
    await knex.raw(`drop trigger ${table}_never_deleted on ${table}`);
  }
  await knex.raw(`drop function khaacho_never_deleted()`);
}
