// @ts-check
// Order placement's write as one function: it re-checks, on the newest row versions, what
// placement decided from its unlocked read, and writes the order. Each step is a statement on a
// primary key or a unique key, so its plan never depends on table statistics (the single statement
// it replaces joined the offers by hash over a sequential scan of every offer, twice, on small
// catalogs), and the offers are updated one by one in id order, so the row locks are taken in a
// fixed order by construction: retailer first, then offers by id. When a check fails (another
// placement took the stock or the credit in between) it raises SQLSTATE KH409 and nothing it did
// remains; placement catches that, reads again and decides again.

/**
 * The function as this migration creates it, step by step: a later migration redefines it with
 * the same steps in another order and, rolled back, restores this.
 */
export const PLACE_ORDER_STEPS = {
  head: `create function khaacho_place_order(
      p_retailer_id bigint, p_total bigint,
      p_offer_ids bigint[], p_quantities int[], p_costs bigint[],
      p_sequence regclass, p_number_date text,
      p_vendor_id bigint, p_source text, p_subtotal bigint, p_vat_rate_bp int, p_vat bigint, p_cost bigint,
      p_idempotency_key text, p_business_date date, p_expected_delivery_date date, p_due_date date, p_at timestamptz,
      p_items jsonb, p_actor text, p_note text,
      p_message_phone text, p_message_kind text, p_message_body text, p_message_dedupe_key text)
    returns table (order_id bigint, order_number text)
    language plpgsql volatile as $$
    #variable_conflict use_column
    declare
      offer record;
      seq bigint;
      new_id bigint;
      new_number text;
    begin
      if coalesce(array_length(p_offer_ids, 1), 0) = 0
         or array_length(p_quantities, 1) is distinct from array_length(p_offer_ids, 1)
         or array_length(p_costs, 1) is distinct from array_length(p_offer_ids, 1) then
        raise exception 'khaacho_place_order: offer ids, quantities and costs must be non-empty arrays of one length';
      end if;`,
  locks: `      update retailers set open_holds_paisa = open_holds_paisa + p_total
       where id = p_retailer_id and status = 'ACTIVE' and p_total <= credit_limit_paisa - receivable_paisa - open_holds_paisa;
      if not found then
        raise exception using errcode = 'KH409', message = format('placement conflict: retailer %s is no longer active with %s paisa of credit available', p_retailer_id, p_total);
      end if;
      for offer in select x.id, x.quantity, x.cost from unnest(p_offer_ids, p_quantities, p_costs) as x(id, quantity, cost) order by x.id loop
        update vendor_products set stock = stock - offer.quantity, reserved = reserved + offer.quantity, updated_at = p_at
         where id = offer.id and stock >= offer.quantity and cost_paisa = offer.cost;
        if not found then
          raise exception using errcode = 'KH409', message = format('placement conflict: offer %s no longer has %s in stock at cost %s paisa', offer.id, offer.quantity, offer.cost);
        end if;
      end loop;`,
  writes: `      seq := nextval(p_sequence);
      new_number := 'ORD' || p_number_date || lpad(seq::text, greatest(3, length(seq::text)), '0');
      insert into orders (number, retailer_id, vendor_id, status, source, subtotal_paisa, vat_rate_bp, vat_paisa, total_paisa, cost_paisa,
                          idempotency_key, business_date, expected_delivery_date, due_date, placed_at, created_at, updated_at)
      values (new_number, p_retailer_id, p_vendor_id, 'PENDING', p_source, p_subtotal, p_vat_rate_bp, p_vat, p_total, p_cost,
              p_idempotency_key, p_business_date, p_expected_delivery_date, p_due_date, p_at, p_at, p_at)
      returning id into new_id;
      insert into order_items (order_id, product_id, sku, name, unit, quantity, unit_price_paisa, unit_cost_paisa, line_total_paisa)
      select new_id, x.product_id, x.sku, x.name, x.unit, x.quantity, x.unit_price_paisa, x.unit_cost_paisa, x.line_total_paisa
        from jsonb_to_recordset(p_items) as x(product_id bigint, sku text, name text, unit text, quantity int,
                                              unit_price_paisa bigint, unit_cost_paisa bigint, line_total_paisa bigint);
      insert into order_events (order_id, type, from_status, to_status, actor, note, created_at)
      values (new_id, 'order.placed', null, 'PENDING', p_actor, p_note, p_at);
      if p_total > 0 then
        insert into credit_holds (retailer_id, order_id, amount_paisa, status, created_at) values (p_retailer_id, new_id, p_total, 'OPEN', p_at);
      end if;
      insert into outbox (to_phone, kind, body, dedupe_key)
      values (p_message_phone, p_message_kind, replace(p_message_body, '{order}', new_number), replace(p_message_dedupe_key, '{order}', new_number))
      on conflict (dedupe_key) do nothing;`,
  tail: `      order_id := new_id;
      order_number := new_number;
      return next;
    end
  $$`,
};

export const PLACE_ORDER_FUNCTION = [PLACE_ORDER_STEPS.head, PLACE_ORDER_STEPS.locks, PLACE_ORDER_STEPS.writes, PLACE_ORDER_STEPS.tail].join("\n");

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.raw(PLACE_ORDER_FUNCTION);
  // Only the statement this replaces used it.
  await knex.raw(`drop function if exists khaacho_guard(boolean, text)`);
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.raw(`drop function if exists khaacho_place_order(bigint, bigint, bigint[], int[], bigint[], regclass, text, bigint, text, bigint, int, bigint, bigint,
    text, date, date, date, timestamptz, jsonb, text, text, text, text, text, text)`);
  await knex.raw(`create function khaacho_guard(ok boolean, what text) returns boolean language plpgsql volatile as $$
    begin
      if ok is not true then
        raise exception using errcode = 'KH409', message = 'placement conflict: ' || what;
      end if;
      return true;
    end
  $$`);
}
