import type { InboundWhatsAppMessage, WebhookBot } from "./bot.js";
import { isDatabaseUnavailable } from "./database-errors.js";
import type { Logger } from "./logger.js";
import type { InboundSpool } from "./spool.js";

/** What one pass over the spool did. */
export interface SpoolDrainReport {
  processed: number;
  failed: number;
  buried: number;
  /** True when the database was still unreachable and the pass stopped early. */
  stoppedByOutage: boolean;
  remaining: number;
}

/** Sends the bot's replies to a message whose webhook call was already answered (the outbox). */
export type ReplySink = (message: InboundWhatsAppMessage, replies: readonly string[]) => Promise<void>;

/**
 * Processes spooled messages oldest first: the bot handles each (its MessageSid dedupe makes a
 * message the bot had already finished harmless) and its replies go out through `sendReplies`,
 * since the webhook answer was only an apology. Stops at the first sign the database is still
 * unreachable; a message that fails `maxFailures` times for other reasons is moved to `dead/`.
 */
export async function drainSpool(deps: {
  spool: InboundSpool;
  bot: WebhookBot;
  sendReplies: ReplySink;
  logger: Logger;
  maxFailures?: number;
}): Promise<SpoolDrainReport> {
  const maxFailures = deps.maxFailures ?? 5;
  const report: SpoolDrainReport = { processed: 0, failed: 0, buried: 0, stoppedByOutage: false, remaining: 0 };
  const blockedPhones = new Set<string>();
  for (const entry of deps.spool.list()) {
    // Keep each phone's order: once one of its messages fails, its later ones wait too.
    if (blockedPhones.has(entry.message.phone)) continue;
    try {
      const result = await deps.bot.handle(entry.message);
      await deps.sendReplies(entry.message, result.replies);
      await deps.spool.remove(entry);
      report.processed++;
      deps.logger.info({ messageSid: entry.message.messageSid, duplicate: result.duplicate }, "spooled message processed");
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        report.stoppedByOutage = true;
        break;
      }
      const failures = entry.failures + 1;
      deps.logger.error({ err: error, messageSid: entry.message.messageSid, failures }, "spooled message failed");
      if (failures >= maxFailures) {
        await deps.spool.bury(entry);
        report.buried++;
      } else {
        await deps.spool.put({ ...entry, failures, lastError: (error as Error)?.message ?? String(error) });
        report.failed++;
        blockedPhones.add(entry.message.phone);
      }
    }
  }
  report.remaining = deps.spool.size;
  return report;
}
