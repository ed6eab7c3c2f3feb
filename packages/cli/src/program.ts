import { Command } from "commander";
import { dbCommand } from "./commands/db.js";
import { demoCommand } from "./commands/demo.js";
import { productsCommand } from "./commands/products.js";
import { retailersCommand } from "./commands/retailers.js";
import { seedCommand } from "./commands/seed.js";
import { serveCommand } from "./commands/serve.js";
import { vendorsCommand } from "./commands/vendors.js";
import { outboxCommand } from "./commands/outbox.js";
import { tokenCommand } from "./commands/token.js";
import { parseCommand } from "./commands/parse.js";
import { ordersCommand } from "./commands/orders.js";
import { paymentsCommand } from "./commands/payments.js";
import { ledgerCommand } from "./commands/ledger.js";
import { chatCommand } from "./commands/chat.js";
import type { CommandContext } from "./context.js";
import { VERSION } from "./version.js";

export { VERSION } from "./version.js";

/** Wires every command into one commander program. Commands live in `commands/<name>.ts`. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command("khaacho")
    .description("Khaacho: WhatsApp ordering and credit for wholesale trade in Nepal")
    .version(VERSION)
    .option("--json", "print machine-readable JSON (one document) instead of tables")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Database: embedded PostgreSQL in KHAACHO_DATA_DIR (default ./.khaacho) unless DATABASE_URL is set.
Exit codes: 0 success, 1 failure, 2 bad usage.`,
    );

  program.hook("preAction", (_program, actionCommand) => {
    context.json = Boolean(actionCommand.optsWithGlobals().json);
  });

  program.addCommand(demoCommand(context));
  program.addCommand(dbCommand(context));
  program.addCommand(seedCommand(context));
  program.addCommand(productsCommand(context));
  program.addCommand(retailersCommand(context));
  program.addCommand(vendorsCommand(context));
  program.addCommand(serveCommand(context));
  program.addCommand(tokenCommand(context));
  program.addCommand(outboxCommand(context));
  program.addCommand(parseCommand(context));
  program.addCommand(ordersCommand(context));
  program.addCommand(paymentsCommand(context));
  program.addCommand(ledgerCommand(context));
  program.addCommand(chatCommand(context));
  return program;
}
