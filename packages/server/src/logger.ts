import { pino, type DestinationStream, type Logger } from "pino";

/** The server's logger type (pino). */
export type { Logger } from "pino";

/** A pino logger at `level`, writing JSON lines to `destination` (standard output by default). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: "khaacho" }, redact: ["req.headers.authorization", "authorization"] }, destination);
}
