// Connection-level failures: the database is down, restarting, refusing connections or too slow.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300", // too_many_connections
  "55000", // database not accepting connections
  "3D000", // database does not exist
]);

/** True when `error` says the database cannot be reached (as opposed to a bug or bad data). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (code === "database_unavailable") return true;
    if (name === "KnexTimeoutError") return true;
    if (typeof message === "string" && /Connection terminated|connect ECONNREFUSED|not currently accepting connections/i.test(message)) return true;
  }
  return false;
}
