/**
 * Every error code Khaacho can raise. Each edge maps a code once: an HTTP status in `server`,
 * an exit code and message in `cli`, a friendly reply in `bot`.
 */
export const ErrorCode = {
  invalidInput: "invalid_input",
  invalidConfig: "invalid_config",
  invalidCsv: "invalid_csv",
  notFound: "not_found",
  conflict: "conflict",
  databaseLocked: "database_locked",
  databaseUnavailable: "database_unavailable",
  invalidTransition: "invalid_transition",
  creditLimit: "credit_limit",
  outOfStock: "out_of_stock",
  unknownSku: "unknown_sku",
  retailerSuspended: "retailer_suspended",
  unauthorized: "unauthorized",
  forbidden: "forbidden",
  ledgerInvariant: "ledger_invariant",
} as const;

/** Union of the error code strings. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error type of the domain: a machine-readable `code`, a sentence for people, and the
 * figures behind it in `details`.
 * @example throw new DomainError("not_found", "No retailer with code R9", { code: "R9" })
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** True when `error` is a DomainError, optionally with the given code. */
export function isDomainError(error: unknown, code?: ErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
