import type { Knex } from "knex";

/**
 * Marks a raw query as a named prepared statement: on a server connection PostgreSQL parses and
 * plans it once per connection (and settles on a generic plan), which is most of the cost of a
 * short statement on the hot path. The SQL text under one name must never change. PGlite ignores
 * the name.
 */
export function prepared<T>(query: Knex.Raw<T>, name: string): Knex.Raw<T> {
  return (query as unknown as { options(options: { name: string }): Knex.Raw<T> }).options({ name: `khaacho_${name}` });
}
