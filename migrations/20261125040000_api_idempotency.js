// @ts-check
// The first answer to each `Idempotency-Key` of the HTTP API, so a repeated request gets the same
// status and body — refusals included — and a key reused for a different request is caught.

/** @param {import("knex").Knex} knex */
export async function up(knex) {
  await knex.schema.createTable("api_idempotency_keys", (t) => {
    t.text("key").primary();
    t.text("route").notNullable();
    t.text("request_hash").notNullable();
    t.integer("status").notNullable();
    t.jsonb("response").notNullable();
    t.bigInteger("token_id").references("api_tokens.id");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

/** @param {import("knex").Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists("api_idempotency_keys");
}
