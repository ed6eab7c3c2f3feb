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
