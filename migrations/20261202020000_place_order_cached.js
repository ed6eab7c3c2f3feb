// @ts-check
// Order placement in one round trip. A placement process remembers what its earlier reads found:
// products with their prices and every active vendor's offer (cost, never stock), and retailers'
// names. With those it prices the order and ranks the vendors itself, and sends everything in one
// call of `khaacho_place_cached`, which checks that what it remembered still holds and then writes
// through `khaacho_place_order`, or answers why it did not so that placement reads afresh.
//
// What it remembered holds while `catalog_version` has not moved: this migration makes offers
// (added, removed, re-costed or moved) and vendors (any change) bump it too, as products already
// did. Stock is not remembered: the function reads it, and the write re-checks it under lock.
//
// It also redefines `khaacho_place_order` to take its row locks last: it writes the order, items,
// event, hold and message first and then updates the retailer and the offers (in the same fixed
// order), so each placement holds the rows other placements wait for only for those updates and
// its commit. A failed check still undoes the call whole; the order number it drew is then unused.
//
// Both functions plan their statements once per connection (plan_cache_mode force_generic_plan):
// with an array parameter known, the planner estimates unnest() at its real length, the generic
// plan looks dearer than that custom one, and PostgreSQL would otherwise plan those statements
// again on every call.

import { PLACE_ORDER_FUNCTION, PLACE_ORDER_STEPS } from "./20261202010000_place_order_function.js";

/** The earlier migration's steps, writes before locks, planned once per connection. */
export const PLACE_ORDER_HEAD = PLACE_ORDER_STEPS.head
  .replace("create function", "create or replace function")
  .replace("volatile as", () => "volatile set plan_cache_mode = force_generic_plan as");
const { locks, writes, tail } = PLACE_ORDER_STEPS;
export const PLACE_ORDER_WRITES_FIRST = [PLACE_ORDER_HEAD, writes, locks, tail].join("\n");

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(PLACE_ORDER_WRITES_FIRST);
  await knex.raw(`create trigger vendor_products_bump_catalog_version
    after insert or delete or truncate on vendor_products
    for each statement execute function bump_catalog_version()`);
  // A reservation or a release sets only stock, reserved and updated_at, and must not bump it:
  // every placement would then queue on the version row.
  await knex.raw(`create trigger vendor_products_cost_bump_catalog_version
    after update of cost_paisa, vendor_id, product_id on vendor_products
    for each statement execute function bump_catalog_version()`);
  await knex.raw(`create trigger vendors_bump_catalog_version
    after insert or update or delete or truncate on vendors
    for each statement execute function bump_catalog_version()`);

  // Outcomes: 'placed' (candidate: which vendor, 1-based), 'replay' (order_number: the order placed
  // under this key before), 'catalog_changed' (the catalog moved past p_catalog_version),
  // 'retailer_changed' (the retailer's code, name or phone are not the ones given), 'recheck' (the
  // retailer is not active or lacks the credit, no candidate has the stock, or the day has no order
  // sequence yet: placement reads afresh, and refuses, or creates the sequence, from what it reads).
  await knex.raw(`create function khaacho_place_cached(
      p_catalog_version bigint,
      p_retailer_id bigint, p_retailer_code text, p_retailer_name text, p_retailer_phone text,
      p_product_ids bigint[], p_prices bigint[], p_quantities int[],
      p_vendor_ids bigint[], p_offer_ids bigint[], p_costs bigint[], p_vendor_costs bigint[], p_vendor_phones text[],
      p_sequence_name text, p_number_date text,
      p_source text, p_subtotal bigint, p_vat_rate_bp int, p_vat bigint, p_total bigint,
      p_idempotency_key text, p_business_date date, p_expected_delivery_date date, p_due_date date, p_at timestamptz,
      p_items jsonb, p_actor text, p_note text, p_message_kind text, p_message_body text, p_message_dedupe_key text)
    returns table (outcome text, candidate int, order_id bigint, order_number text)
    language plpgsql volatile set plan_cache_mode = force_generic_plan as $$
    #variable_conflict use_column
    declare
      n int := coalesce(array_length(p_product_ids, 1), 0);
      candidates int := coalesce(array_length(p_vendor_ids, 1), 0);
      chosen int := 0;
      matched int;
      seq regclass;
      r record;
    begin
      -- p_offer_ids and p_costs hold n entries per candidate, candidate by candidate, each in line order.
      if n = 0 or candidates = 0
         or array_length(p_prices, 1) is distinct from n or array_length(p_quantities, 1) is distinct from n
         or array_length(p_offer_ids, 1) is distinct from n * candidates or array_length(p_costs, 1) is distinct from n * candidates
         or array_length(p_vendor_costs, 1) is distinct from candidates or array_length(p_vendor_phones, 1) is distinct from candidates
         or jsonb_array_length(p_items) is distinct from candidates then
        raise exception 'khaacho_place_cached: % lines and % candidates do not match the arrays given', n, candidates;
      end if;
      if p_idempotency_key is not null then
        select o.number into order_number from orders o where o.idempotency_key = p_idempotency_key;
        if found then
          outcome := 'replay';
          return next;
          return;
        end if;
      end if;
      perform 1 from catalog_version where version = p_catalog_version;
      if found then
        -- The version covers prices; reading them again costs n primary-key reads and does not
        -- rest on the version alone. (Element by element: a join with the arrays would be planned
        -- once for the function's life, and on a small table as a sequential scan.)
        matched := 0;
        for i in 1..n loop
          perform 1 from products p where p.id = p_product_ids[i] and p.price_paisa = p_prices[i] and p.active;
          exit when not found;
          matched := matched + 1;
        end loop;
      end if;
      if coalesce(matched, -1) <> n then
        outcome := 'catalog_changed';
        return next;
        return;
      end if;
      select status, code, name, phone, credit_limit_paisa - receivable_paisa - open_holds_paisa as available
        into r from retailers where id = p_retailer_id;
      if not found or r.code <> p_retailer_code or r.name <> p_retailer_name or r.phone <> p_retailer_phone then
        outcome := 'retailer_changed';
        return next;
        return;
      end if;
      seq := to_regclass(p_sequence_name);
      if r.status <> 'ACTIVE' or r.available < p_total or seq is null then
        outcome := 'recheck';
        return next;
        return;
      end if;
      -- The first candidate whose offers all have the stock now; the write re-checks it under lock.
      for c in 1..candidates loop
        matched := 0;
        for i in 1..n loop
          perform 1 from vendor_products vp
           where vp.id = p_offer_ids[(c - 1) * n + i] and vp.vendor_id = p_vendor_ids[c] and vp.product_id = p_product_ids[i]
             and vp.cost_paisa = p_costs[(c - 1) * n + i] and vp.stock >= p_quantities[i];
          exit when not found;
          matched := matched + 1;
        end loop;
        if matched = n then
          chosen := c;
          exit;
        end if;
      end loop;
      if chosen = 0 then
        outcome := 'recheck';
        return next;
        return;
      end if;
      return query
        select 'placed'::text, chosen, w.order_id, w.order_number
          from khaacho_place_order(p_retailer_id, p_total,
                                   p_offer_ids[(chosen - 1) * n + 1 : chosen * n], p_quantities, p_costs[(chosen - 1) * n + 1 : chosen * n],
                                   seq, p_number_date, p_vendor_ids[chosen], p_source, p_subtotal, p_vat_rate_bp, p_vat, p_vendor_costs[chosen],
                                   p_idempotency_key, p_business_date, p_expected_delivery_date, p_due_date, p_at,
                                   p_items -> (chosen - 1), p_actor, p_note,
                                   p_vendor_phones[chosen], p_message_kind, p_message_body, p_message_dedupe_key) as w;
    end
  $$`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop function if exists khaacho_place_cached(bigint, bigint, text, text, text, bigint[], bigint[], int[],
    bigint[], bigint[], bigint[], bigint[], text[], text, text, text, bigint, int, bigint, bigint,
    text, date, date, date, timestamptz, jsonb, text, text, text, text, text)`);
  await knex.raw(`drop trigger if exists vendors_bump_catalog_version on vendors`);
  await knex.raw(`drop trigger if exists vendor_products_cost_bump_catalog_version on vendor_products`);
  await knex.raw(`drop trigger if exists vendor_products_bump_catalog_version on vendor_products`);
  await knex.raw(PLACE_ORDER_FUNCTION.replace("create function", "create or replace function"));
}
