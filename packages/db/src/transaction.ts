import type { Knex } from "knex";

/** Either the root knex instance or an open transaction. */
export type Executor = Knex | Knex.Transaction;

// PostgreSQL: serialization_failure, deadlock_detected, lock_not_available; and KH409, raised by
// `khaacho_place_order` when an order placement's write finds that another placement took the stock or
// credit it counted on.
const RETRYABLE = new Set(["40001", "40P01", "55P03", "KH409"]);

/**
 * True for a database error that a fresh attempt of the same transaction may not hit. That
 * includes a placement whose idempotency key a concurrent placement committed first: a fresh
 * attempt finds that order and answers with it.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown };
  if (e?.code === "23505") return e.constraint === "orders_idempotency_key_unique";
  return typeof e?.code === "string" && RETRYABLE.has(e.code);
}

/** True when `executor` is already a transaction. */
export function isTransaction(executor: Executor): executor is Knex.Transaction {
  return (executor as { isTransaction?: boolean }).isTransaction === true;
}

/**
 * Runs `work` in a transaction. Given the root knex, it opens its own transaction and retries it on
 * serialization failures and deadlocks (with jittered backoff), so they never reach a caller. Given
 * an open transaction, it runs inside it (a savepoint) without retrying: the owner of the outer
 * transaction retries the whole unit. This is also what keeps the single-connection embedded
 * database from waiting on itself.
 */
export async function inTransaction<T>(
  executor: Executor,
  work: (trx: Knex.Transaction) => Promise<T>,
  options: { attempts?: number; isolationLevel?: Knex.IsolationLevels } = {},
): Promise<T> {
  if (isTransaction(executor)) return executor.transaction(work);
  const attempts = options.attempts ?? 12;
  for (let attempt = 1; ; attempt++) {
    try {
      return await executor.transaction(work, options.isolationLevel ? { isolationLevel: options.isolationLevel } : undefined);
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
      const delayMs = Math.random() * Math.min(50, 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
