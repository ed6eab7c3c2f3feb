import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyRateHalfUp, buildCatalogIndex, formatRupees, parseMessage } from "@khaacho/core";
import { type Database, findRetailerByPhone, listProducts, migrateLatest, openDatabase } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { action } from "./action.js";
import { EXAMPLES_DIR, seedExample } from "./seed.js";

/** The demo retailer (examples/retailers.csv). */
export const DEMO_PHONE = "+9779812345678";

/** Reads a chat script: one message per line; the two characters `\n` inside a line are a line break. */
export function readChatScript(path: string): string[] {
  return readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0)
    .map((line) => line.replace(/\\n/g, "\n"));
}

/**
 * Plays the scripted conversation and returns the transcript. This reads each message the way the
 * bot does (parser over the live catalog) and prices it with VAT.
 */
async function playDemoConversation(context: CommandContext, db: Database, messages: readonly string[]): Promise<string[]> {
  const config = context.config();
  const retailer = await findRetailerByPhone(db.knex, DEMO_PHONE);
  const products = await listProducts(db.knex);
  const index = buildCatalogIndex(products);
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const transcript: string[] = [`Retailer ${retailer?.name ?? DEMO_PHONE} (${DEMO_PHONE}) on WhatsApp:`, ""];
  for (const message of messages) {
    transcript.push(...message.split("\n").map((l, i) => `${i === 0 ? "  retailer > " : "             "}${l}`));
    const parsed = parseMessage(message, index);
    const reading: string[] = [`intent: ${parsed.intent}`];
    let subtotal = 0;
    for (const item of parsed.items) {
      const product = bySku.get(item.sku);
      const line = (product?.pricePaisa ?? 0) * item.quantity;
      subtotal += line;
      reading.push(`${item.sku} × ${item.quantity}  (${product?.name ?? "?"}: ${formatRupees(line)}) from "${item.text}"`);
    }
    for (const left of parsed.unresolved) {
      reading.push(`not sure: "${left.text}" (${left.reason.replace(/_/g, " ")}${left.candidates.length ? `; could be ${left.candidates.join(", ")}` : ""})`);
    }
    if (parsed.items.length > 0) {
      const vat = applyRateHalfUp(subtotal, config.vatRateBasisPoints);
      reading.push(`subtotal ${formatRupees(subtotal)} + VAT ${formatRupees(vat)} = ${formatRupees(subtotal + vat)}`);
    }
    transcript.push(...reading.map((l) => `  khaacho  ~ ${l}`), "");
  }
  return transcript;
}

/** `khaacho demo`: the embedded database, the examples, and a scripted WhatsApp order. */
export function demoCommand(context: CommandContext): Command {
  return new Command("demo")
    .description("run Khaacho end to end on the embedded database: migrate, seed the examples, play a scripted WhatsApp order")
    .option("--script <FILE>", "chat script to play (one message per line)", join(EXAMPLES_DIR, "demo-chat.txt"))
    .action(
      action(context, async (options: { script: string }) => {
        const config = context.config();
        const dataDir = resolve(context.cwd, config.dataDir);
        const messages = readChatScript(resolve(context.cwd, options.script));
        // Always the embedded database: the demo never touches a configured server.
        const db = await openDatabase({ dataDir });
        try {
          const applied = await migrateLatest(db.knex);
          const seeded = await seedExample(context, db, "surkhet");
          const transcript = await playDemoConversation(context, db, messages);
          const header = [
            `Khaacho demo — embedded database in ${dataDir}`,
            applied.length ? `Migrated: ${applied.length} migration(s) applied.` : "Schema is up to date.",
            `Seeded: ${seeded.products} products, ${seeded.offers} vendor offers, ${seeded.retailersAdded} new retailer(s), ${seeded.vendorsAdded} new vendor(s).`,
            "",
          ];
          return { data: { dataDir, migrationsApplied: applied, seeded, transcript }, human: [...header, ...transcript].join("\n") };
        } finally {
          await db.close();
        }
      }),
    );
}
