import { DomainError, type ErrorCode } from "@khaacho/core";

/** Bad usage (a missing flag, a malformed value on the command line): exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Something went wrong that the message already fully explains: exit code 1, no stack. */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

// Codes that mean "you called it wrong" rather than "it did not work".
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["invalid_input"]);

/** The exit code for an error thrown by a command (the one mapping of the CLI). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return 2;
  if (error instanceof DomainError && USAGE_CODES.has(error.code)) return 2;
  return 1;
}
