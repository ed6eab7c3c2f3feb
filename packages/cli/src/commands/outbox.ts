import { requireConfig } from "@khaacho/core";
import { deliverOutbox, type OutboxSender } from "@khaacho/db";
import { createTwilioSender } from "@khaacho/server";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { action } from "./action.js";

/** `khaacho outbox send`: deliver due outbound WhatsApp messages (run it from cron every minute). */
export function outboxCommand(context: CommandContext, deps: { sender?: OutboxSender } = {}): Command {
  const outbox = new Command("outbox").description("outbound WhatsApp messages (vendor notices, order status updates)");
  outbox
    .command("send")
    .description("send due messages with retries and backoff; outside the 24-hour window as approved templates")
    .option("--limit <n>", "most messages to send in this run", "200")
    .action(
      action(context, async (options: { limit: string }) => {
        if (!/^\d{1,5}$/.test(options.limit) || Number(options.limit) < 1) throw new UsageError(`--limit must be a whole number from 1 to 99999 (got "${options.limit}")`);
        const config = context.config();
        let sender = deps.sender;
        if (!sender) {
          const twilioConfig = requireConfig(
            config,
            { twilioAccountSid: "TWILIO_ACCOUNT_SID", twilioAuthToken: "TWILIO_AUTH_TOKEN", twilioWhatsappNumber: "TWILIO_WHATSAPP_NUMBER" },
            "khaacho outbox send",
          );
          sender = createTwilioSender({
            accountSid: twilioConfig.twilioAccountSid,
            authToken: twilioConfig.twilioAuthToken,
            from: twilioConfig.twilioWhatsappNumber,
            statusCallback: config.publicBaseUrl ? `${config.publicBaseUrl}/webhooks/twilio/status` : undefined,
          });
        }
        const activeSender = sender;
        const report = await context.withDatabase((db) =>
          deliverOutbox(db.knex, { sender: activeSender, now: new Date(), templates: config.twilioContentTemplates, limit: Number(options.limit) }),
        );
        const lines = [
          `Outbox: ${report.claimed} due, ${report.sent} sent, ${report.retrying} to retry, ${report.failed} failed, ${report.waitingForTemplate} waiting for a template.`,
        ];
        for (const p of report.problems) lines.push(`  #${p.id} ${p.kind} to ${p.toPhone}: ${p.error}`);
        return { data: report, human: lines.join("\n") };
      }),
    );
  // main() turns commander's exits into exit codes only for top-level commands; nested ones need it too.
  for (const sub of outbox.commands) sub.exitOverride();
  return outbox;
}
