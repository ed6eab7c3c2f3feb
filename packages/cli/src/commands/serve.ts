import { resolve } from "node:path";
import { createBot } from "@khaacho/bot";
import { requireConfig } from "@khaacho/core";
import { enqueueMessage, getOrderDetail, getRetailerByCode, placeOrder, retailerStatement } from "@khaacho/db";
import { createApp, createLogger, drainSpool, InboundSpool, type ReplySink, startServer } from "@khaacho/server";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { VERSION } from "../version.js";
import { action } from "./action.js";

/** How often the server retries messages kept while the database was unreachable. */
const SPOOL_DRAIN_INTERVAL_MS = 5_000;

function waitForSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const handlers = signals.map((signal) => {
      const handler = () => {
        for (const [s, h] of handlers) process.off(s, h);
        resolveSignal(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
  });
}

/** `khaacho serve [--port N]`: the Twilio webhook, health, metrics and the API, until SIGTERM/SIGINT. */
export function serveCommand(context: CommandContext): Command {
  return new Command("serve")
    .description("run the HTTP server: Twilio WhatsApp webhook, delivery callbacks, /health, /metrics, /api")
    .option("--port <n>", "port to listen on (default: PORT, 3000)")
    .option("--host <address>", "address to listen on", "0.0.0.0")
    .action(
      action(context, async (options: { port?: string; host: string }) => {
        const config = requireConfig(
          context.config(),
          { twilioAccountSid: "TWILIO_ACCOUNT_SID", twilioAuthToken: "TWILIO_AUTH_TOKEN", publicBaseUrl: "PUBLIC_BASE_URL", jwtSecret: "JWT_SECRET" },
          "khaacho serve",
        );
        let port = config.port;
        if (options.port !== undefined) {
          if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${options.port}")`);
          port = Number(options.port);
        }
        return context.withDatabase(async (db) => {
          const logger = createLogger(config.logLevel);
          const spool = new InboundSpool(resolve(context.cwd, config.spoolDir));
          const bot = createBot({ knex: db.knex, config });
          const app = createApp({
            knex: db.knex,
            settings: {
              twilioAuthToken: config.twilioAuthToken,
              publicBaseUrl: config.publicBaseUrl,
              jwtSecret: config.jwtSecret,
              vatRateBasisPoints: config.vatRateBasisPoints,
              businessTimeZone: config.businessTimeZone,
              webhookRateLimitPerMinute: config.webhookRateLimitPerMinute,
            },
            bot,
            orders: { getRetailerByCode, placeOrder, getOrderDetail, retailerStatement },
            spool,
            logger,
            version: VERSION,
          });
          // The webhook already answered these with an apology: their real replies go out by the outbox.
          const sendReplies: ReplySink = async (message, replies) => {
            for (const [i, body] of replies.entries()) {
              await enqueueMessage(db.knex, { toPhone: message.phone, kind: "bot.reply", body, dedupeKey: `reply:${message.messageSid}:${i}` });
            }
          };
          let draining: Promise<unknown> | undefined;
          const drain = () => {
            if (draining || spool.size === 0) return;
            draining = drainSpool({ spool, bot, sendReplies, logger })
              .then((report) => logger.info(report, "spool drained"))
              .catch((error: unknown) => logger.error({ err: error }, "spool drain failed"))
              .finally(() => {
                draining = undefined;
              });
          };
          const timer = setInterval(drain, SPOOL_DRAIN_INTERVAL_MS);
          drain();

          let server: Awaited<ReturnType<typeof startServer>>;
          try {
            server = await startServer({ app, port, hostname: options.host, logger });
          } catch (error) {
            // Nothing may keep the process alive when it cannot listen (a port in use, say).
            clearInterval(timer);
            await draining;
            throw error;
          }
          logger.info({ port: server.port, database: db.location, version: VERSION }, "khaacho server listening");
          context.output.err(`Listening on http://${options.host}:${server.port} (database: ${db.kind} ${db.location}). Stop with Ctrl-C or SIGTERM.`);

          const signal = await waitForSignal(["SIGTERM", "SIGINT"]);
          logger.info({ signal }, "shutting down: no new connections, finishing requests in flight");
          clearInterval(timer);
          await server.close();
          await draining;
          logger.info("server stopped; closing the database");
          return { data: { stopped: true, signal, port: server.port }, human: `Stopped on ${signal}.` };
        });
      }),
    );
}
