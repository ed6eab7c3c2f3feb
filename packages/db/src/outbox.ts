import type { Executor } from "./transaction.js";

/** A message to send later, written in the same transaction as the change it announces. */
export interface OutboxEntry {
  toPhone: string;
  kind: string;
  body: string;
  /** A message with a key already in the outbox is not written again (replays, retries). */
  dedupeKey?: string;
}

/**
 * The transactional outbox write: queues `msg` for delivery through the executor it is given, so
 * it commits or rolls back with the caller's transaction. A repeated `dedupeKey` is ignored.
 */
export async function enqueueMessage(executor: Executor, msg: OutboxEntry): Promise<void> {
  await executor.raw(
    `insert into outbox (to_phone, kind, body, dedupe_key) values (?, ?, ?, ?) on conflict (dedupe_key) do nothing`,
    [msg.toPhone, msg.kind, msg.body, msg.dedupeKey ?? null],
  );
}

/**
 * The same write as a data-modifying CTE for use inside a larger statement (order placement writes
 * everything in one statement). `{order}` in body and dedupe key is replaced by the value of
 * `orderNumberSql`, an expression over the statement's other CTEs.
 */
export function outboxCte(name: string, msg: OutboxEntry, orderNumberSql: string, from: string): { sql: string; bindings: (string | null)[] } {
  return {
    sql: `${name} as (insert into outbox (to_phone, kind, body, dedupe_key)
      select ?, ?, replace(?, '{order}', ${orderNumberSql}), replace(?, '{order}', ${orderNumberSql}) from ${from}
      on conflict (dedupe_key) do nothing returning id)`,
    bindings: [msg.toPhone, msg.kind, msg.body, msg.dedupeKey ?? null],
  };
}
