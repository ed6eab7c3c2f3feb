// @ts-check
// The core data model. Money is integer paisa (bigint); times are timestamptz; business dates are
// Asia/Kathmandu calendar days stored as `date`. Constraints that protect data live here, not only
// in code: later migrations extend this schema, they never loosen it.

/** The entries' balance check (a later migration redefines it and, rolled back, restores this). */
export const LEDGER_CHECK_BALANCED = `
    create function ledger_check_balanced() returns trigger language plpgsql as $$
    declare
      imbalance bigint;
      entry_count integer;
    begin
      select coalesce(sum(case when direction = 'debit' then amount_paisa else -amount_paisa end), 0), count(*)
        into imbalance, entry_count
        from ledger_entries where journal_id = new.journal_id;
      if imbalance <> 0 or entry_count < 2 then
        raise exception 'journal % does not balance (debits - credits = %, % entries)', new.journal_id, imbalance, entry_count
          using errcode = 'check_violation';
      end if;
      return null;
    end $$
`;

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.schema.createTable("retailers", (t) => {
    t.bigIncrements("id");
    t.text("code").notNullable().unique();
    t.text("name").notNullable();
    t.text("phone").notNullable().unique();
    t.text("area");
    t.text("language").notNullable().defaultTo("en");
    t.bigInteger("credit_limit_paisa").notNullable().defaultTo(0);
    t.text("status").notNullable().defaultTo("ACTIVE");
    t.timestamps(true, true);
  });
  await knex.raw(`
    alter table retailers
      add constraint retailers_language_check check (language in ('en', 'ne')),
      add constraint retailers_status_check check (status in ('ACTIVE', 'SUSPENDED', 'BLOCKED')),
      add constraint retailers_credit_limit_check check (credit_limit_paisa >= 0),
      add constraint retailers_phone_check check (phone ~ '^\\+[1-9][0-9]{6,14}$'),
      add constraint retailers_code_check check (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$')
  `);

  await knex.schema.createTable("vendors", (t) => {
    t.bigIncrements("id");
    t.text("code").notNullable().unique();
    t.text("name").notNullable();
    t.text("phone").notNullable().unique();
    t.text("area");
    t.text("status").notNullable().defaultTo("ACTIVE");
    t.timestamps(true, true);
  });
  await knex.raw(`
    alter table vendors
      add constraint vendors_status_check check (status in ('ACTIVE', 'INACTIVE')),
      add constraint vendors_phone_check check (phone ~ '^\\+[1-9][0-9]{6,14}$'),
      add constraint vendors_code_check check (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$')
  `);

  await knex.schema.createTable("products", (t) => {
    t.bigIncrements("id");
    t.text("sku").notNullable().unique();
    t.text("name").notNullable();
    t.text("unit").notNullable();
    t.text("category");
    t.bigInteger("price_paisa").notNullable();
    t.specificType("aliases", "text[]").notNullable().defaultTo(knex.raw("'{}'::text[]"));
    t.boolean("active").notNullable().defaultTo(true);
    t.timestamps(true, true);
  });
  await knex.raw(`alter table products add constraint products_price_check check (price_paisa >= 0)`);

  // A vendor's offer for a product. `stock` is what can still be sold; `reserved` is held by open
  // orders (moved out of stock at placement, back on cancel/reject, gone on dispatch).
  await knex.schema.createTable("vendor_products", (t) => {
    t.bigIncrements("id");
    t.bigInteger("vendor_id").notNullable().references("vendors.id");
    t.bigInteger("product_id").notNullable().references("products.id");
    t.bigInteger("cost_paisa").notNullable();
    t.integer("stock").notNullable().defaultTo(0);
    t.integer("reserved").notNullable().defaultTo(0);
    t.timestamps(true, true);
    t.unique(["vendor_id", "product_id"]);
    t.index(["product_id"]);
  });
  await knex.raw(`
    alter table vendor_products
      add constraint vendor_products_cost_check check (cost_paisa >= 0),
      add constraint vendor_products_stock_check check (stock >= 0),
      add constraint vendor_products_reserved_check check (reserved >= 0)
  `);

  await knex.schema.createTable("order_sequences", (t) => {
    t.date("business_date").primary();
    t.integer("last_seq").notNullable();
  });

  await knex.schema.createTable("orders", (t) => {
    t.bigIncrements("id");
    t.text("number").notNullable().unique();
    t.bigInteger("retailer_id").notNullable().references("retailers.id");
    t.bigInteger("vendor_id").notNullable().references("vendors.id");
    t.text("status").notNullable().defaultTo("PENDING");
    t.text("source").notNullable().defaultTo("whatsapp");
    t.bigInteger("subtotal_paisa").notNullable();
    t.integer("vat_rate_bp").notNullable();
    t.bigInteger("vat_paisa").notNullable();
    t.bigInteger("total_paisa").notNullable();
    t.bigInteger("cost_paisa").notNullable();
    t.bigInteger("paid_paisa").notNullable().defaultTo(0);
    t.text("idempotency_key").unique();
    t.date("business_date").notNullable();
    t.date("expected_delivery_date");
    t.date("due_date");
    t.timestamp("placed_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("delivered_at", { useTz: true });
    t.timestamps(true, true);
    t.index(["retailer_id", "placed_at"]);
    t.index(["vendor_id", "status"]);
    t.index(["status"]);
  });
  await knex.raw(`
    alter table orders
      add constraint orders_status_check check (status in ('PENDING', 'ACCEPTED', 'DISPATCHED', 'DELIVERED', 'CANCELLED', 'REJECTED')),
      add constraint orders_source_check check (source in ('whatsapp', 'operator', 'api', 'cli')),
      add constraint orders_amounts_check check (
        subtotal_paisa >= 0 and vat_paisa >= 0 and cost_paisa >= 0
        and total_paisa = subtotal_paisa + vat_paisa
        and paid_paisa >= 0 and paid_paisa <= total_paisa),
      add constraint orders_vat_rate_check check (vat_rate_bp between 0 and 9999),
      add constraint orders_number_check check (number ~ '^ORD[0-9]{9,}$')
  `);

  await knex.schema.createTable("order_items", (t) => {
    t.bigIncrements("id");
    t.bigInteger("order_id").notNullable().references("orders.id");
    t.bigInteger("product_id").notNullable().references("products.id");
    t.text("sku").notNullable();
    t.text("name").notNullable();
    t.text("unit").notNullable();
    t.integer("quantity").notNullable();
    t.bigInteger("unit_price_paisa").notNullable();
    t.bigInteger("unit_cost_paisa").notNullable();
    t.bigInteger("line_total_paisa").notNullable();
    t.unique(["order_id", "product_id"]);
  });
  await knex.raw(`
    alter table order_items
      add constraint order_items_quantity_check check (quantity > 0),
      add constraint order_items_amounts_check check (
        unit_price_paisa >= 0 and unit_cost_paisa >= 0 and line_total_paisa = quantity * unit_price_paisa)
  `);

  await knex.schema.createTable("order_events", (t) => {
    t.bigIncrements("id");
    t.bigInteger("order_id").notNullable().references("orders.id");
    t.text("type").notNullable();
    t.text("from_status");
    t.text("to_status").notNullable();
    t.text("actor").notNullable();
    t.text("note");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["order_id"]);
  });

  // Pending credit exposure: one hold per order, OPEN from placement until it is released
  // (cancel/reject) or converted into a receivable (delivery).
  await knex.schema.createTable("credit_holds", (t) => {
    t.bigIncrements("id");
    t.bigInteger("retailer_id").notNullable().references("retailers.id");
    t.bigInteger("order_id").notNullable().unique().references("orders.id");
    t.bigInteger("amount_paisa").notNullable();
    t.text("status").notNullable().defaultTo("OPEN");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("closed_at", { useTz: true });
  });
  await knex.raw(`
    alter table credit_holds
      add constraint credit_holds_amount_check check (amount_paisa > 0),
      add constraint credit_holds_status_check check (status in ('OPEN', 'RELEASED', 'CONVERTED'))
  `);
  await knex.raw(`
    create index credit_holds_open_idx on credit_holds (retailer_id) where status = 'OPEN'
  `);

  await knex.schema.createTable("ledger_accounts", (t) => {
    t.bigIncrements("id");
    t.text("code").notNullable().unique();
    t.text("name").notNullable();
    t.text("type").notNullable();
    t.bigInteger("retailer_id").references("retailers.id");
    t.bigInteger("vendor_id").references("vendors.id");
    // Cached balance, debit minus credit. `khaacho ledger verify` recomputes it from entries.
    t.bigInteger("balance_paisa").notNullable().defaultTo(0);
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    alter table ledger_accounts
      add constraint ledger_accounts_type_check check (type in ('asset', 'liability', 'equity', 'revenue', 'expense'))
  `);
  await knex.raw(`
    create unique index ledger_accounts_retailer_idx on ledger_accounts (retailer_id, type) where retailer_id is not null
  `);
  await knex.raw(`
    create unique index ledger_accounts_vendor_idx on ledger_accounts (vendor_id, type) where vendor_id is not null
  `);

  await knex.schema.createTable("ledger_journals", (t) => {
    t.bigIncrements("id");
    t.text("kind").notNullable();
    t.text("description").notNullable();
    t.bigInteger("order_id").references("orders.id");
    t.bigInteger("reverses_journal_id").unique().references("ledger_journals.id");
    t.text("idempotency_key").unique();
    t.date("business_date").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["order_id"]);
  });

  await knex.schema.createTable("ledger_entries", (t) => {
    t.bigIncrements("id");
    t.bigInteger("journal_id").notNullable().references("ledger_journals.id");
    t.bigInteger("account_id").notNullable().references("ledger_accounts.id");
    t.text("direction").notNullable();
    t.bigInteger("amount_paisa").notNullable();
    t.index(["journal_id"]);
    t.index(["account_id"]);
  });
  await knex.raw(`
    alter table ledger_entries
      add constraint ledger_entries_direction_check check (direction in ('debit', 'credit')),
      add constraint ledger_entries_amount_check check (amount_paisa > 0)
  `);

  // Append-only: journals and entries can never be changed or removed; corrections are reversals.
  await knex.raw(`
    create function ledger_reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'ledger rows are append-only: % on % is not allowed (post a reversal instead)', tg_op, tg_table_name
        using errcode = 'check_violation';
    end $$
  `);
  await knex.raw(`
    create trigger ledger_journals_append_only before update or delete on ledger_journals
      for each row execute function ledger_reject_change()
  `);
  await knex.raw(`
    create trigger ledger_entries_append_only before update or delete on ledger_entries
      for each row execute function ledger_reject_change()
  `);
  await knex.raw(`
    create trigger ledger_journals_no_truncate before truncate on ledger_journals
      for each statement execute function ledger_reject_change()
  `);
  await knex.raw(`
    create trigger ledger_entries_no_truncate before truncate on ledger_entries
      for each statement execute function ledger_reject_change()
  `);
  // Every journal balances: checked when the transaction commits, so entries can be added one by one.
  await knex.raw(LEDGER_CHECK_BALANCED);
  await knex.raw(`
    create constraint trigger ledger_entries_balanced after insert on ledger_entries
      deferrable initially deferred for each row execute function ledger_check_balanced()
  `);

  await knex.schema.createTable("payments", (t) => {
    t.bigIncrements("id");
    t.bigInteger("retailer_id").notNullable().references("retailers.id");
    t.bigInteger("amount_paisa").notNullable();
    t.text("method").notNullable();
    t.text("reference").notNullable().unique();
    t.bigInteger("journal_id").references("ledger_journals.id");
    t.date("business_date").notNullable();
    t.timestamp("received_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["retailer_id", "received_at"]);
  });
  await knex.raw(`
    alter table payments
      add constraint payments_amount_check check (amount_paisa > 0),
      add constraint payments_method_check check (method in ('cash', 'bank', 'esewa', 'khalti'))
  `);

  await knex.schema.createTable("payment_allocations", (t) => {
    t.bigIncrements("id");
    t.bigInteger("payment_id").notNullable().references("payments.id");
    t.bigInteger("order_id").notNullable().references("orders.id");
    t.bigInteger("amount_paisa").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["order_id"]);
    t.index(["payment_id"]);
  });
  await knex.raw(`alter table payment_allocations add constraint payment_allocations_amount_check check (amount_paisa > 0)`);

  // One persisted conversation (XState snapshot) per phone.
  await knex.schema.createTable("conversations", (t) => {
    t.text("phone").primary();
    t.bigInteger("retailer_id").references("retailers.id");
    t.jsonb("snapshot").notNullable();
    t.timestamp("last_inbound_at", { useTz: true });
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Every inbound message, deduplicated by the provider's id; `replies` is what we answered, so a
  // replay gets the first answer.
  await knex.schema.createTable("inbound_messages", (t) => {
    t.bigIncrements("id");
    t.text("message_sid").notNullable().unique();
    t.text("phone").notNullable();
    t.text("body").notNullable().defaultTo("");
    t.integer("num_media").notNullable().defaultTo(0);
    t.jsonb("payload");
    t.text("status").notNullable().defaultTo("received");
    t.jsonb("replies");
    t.text("error");
    t.timestamp("received_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("processed_at", { useTz: true });
    t.index(["phone", "received_at"]);
  });
  await knex.raw(`alter table inbound_messages add constraint inbound_messages_status_check check (status in ('received', 'processed', 'failed', 'rate_limited'))`);

  // People who wrote to us without being registered.
  await knex.schema.createTable("leads", (t) => {
    t.bigIncrements("id");
    t.text("phone").notNullable().unique();
    t.text("profile_name");
    t.text("first_message");
    t.integer("message_count").notNullable().defaultTo(1);
    t.timestamp("first_seen_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_seen_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Transactional outbox: written in the same transaction as the change it announces.
  await knex.schema.createTable("outbox", (t) => {
    t.bigIncrements("id");
    t.text("to_phone").notNullable();
    t.text("kind").notNullable();
    t.text("body").notNullable();
    t.text("content_sid");
    t.jsonb("content_variables");
    t.text("status").notNullable().defaultTo("pending");
    t.integer("attempts").notNullable().defaultTo(0);
    t.timestamp("next_attempt_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text("provider_sid").unique();
    t.text("last_error");
    t.text("dedupe_key").unique();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("sent_at", { useTz: true });
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    alter table outbox add constraint outbox_status_check
      check (status in ('pending', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered'))
  `);
  await knex.raw(`
    create index outbox_due_idx on outbox (next_attempt_at) where status = 'pending'
  `);

  await knex.schema.createTable("job_runs", (t) => {
    t.bigIncrements("id");
    t.text("job").notNullable();
    t.text("run_key").notNullable();
    t.text("status").notNullable().defaultTo("running");
    t.jsonb("details");
    t.text("error");
    t.timestamp("started_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("finished_at", { useTz: true });
    t.unique(["job", "run_key"]);
  });
  await knex.raw(`alter table job_runs add constraint job_runs_status_check check (status in ('running', 'succeeded', 'failed'))`);

  await knex.schema.createTable("api_tokens", (t) => {
    t.bigIncrements("id");
    t.text("jti").notNullable().unique();
    t.text("name").notNullable();
    t.text("role").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("expires_at", { useTz: true });
    t.timestamp("revoked_at", { useTz: true });
    t.timestamp("last_used_at", { useTz: true });
  });
  await knex.raw(`alter table api_tokens add constraint api_tokens_role_check check (role in ('admin', 'analyst'))`);

  await knex.schema.createTable("audit_log", (t) => {
    t.bigIncrements("id");
    t.text("actor").notNullable();
    t.text("action").notNullable();
    t.text("entity_type");
    t.text("entity_id");
    t.jsonb("details");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["entity_type", "entity_id"]);
  });
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  for (const table of [
    "audit_log",
    "api_tokens",
    "job_runs",
    "outbox",
    "leads",
    "inbound_messages",
    "conversations",
    "payment_allocations",
    "payments",
    "ledger_entries",
    "ledger_journals",
    "ledger_accounts",
    "credit_holds",
    "order_events",
    "order_items",
    "orders",
    "order_sequences",
    "vendor_products",
    "products",
    "vendors",
    "retailers",
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw("drop function if exists ledger_check_balanced()");
  await knex.raw("drop function if exists ledger_reject_change()");
}
