import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { buildCatalogIndex, parseCatalogCsv, parseMessage, toParseContractLine } from "@khaacho/core";
import type { CatalogIndex, ParsedMessage } from "@khaacho/core";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure, UsageError } from "../errors.js";
import { action } from "./action.js";

/**
 * `khaacho parse --catalog FILE.csv [--jsonl | --text T]`: reads messages against a catalog, with no
 * database. With --jsonl every input line `{"id","text"}` gets exactly one output line; an input
 * line that is not such an object gets `{"id": <its id or null>, "line": N, "error": "..."}` and
 * the run goes on (exit 0), so one bad line never hides the results of the others.
 */
export function parseCommand(context: CommandContext): Command {
  return new Command("parse")
    .description("parse order messages against a catalog CSV (no database)")
    .requiredOption("--catalog <file>", "catalog CSV (sku,name,unit,price,aliases[,category,...])")
    .option("--jsonl", 'read {"id","text"} JSON lines on stdin, write one result line per input (contract)')
    .option("--text <message>", "the message to explain (default: all of stdin)")
    .action(
      async (options: { catalog: string; jsonl?: boolean; text?: string }) => {
        const index = await loadCatalog(context, options.catalog);
        if (options.jsonl) {
          if (options.text !== undefined) throw new UsageError("--text and --jsonl cannot be used together");
          await parseJsonLines(context, index);
          return;
        }
        await action(context, async () => {
          const text = options.text ?? (await readAll(context.stdin));
          const parsed = parseMessage(text, index);
          return { data: parsed, human: explainParse(text, parsed, index) };
        })();
      },
    );
}

async function loadCatalog(context: CommandContext, file: string): Promise<CatalogIndex> {
  const path = resolve(context.cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CommandFailure(`cannot read the catalog ${path}: ${(error as Error).message}`);
  }
  const result = parseCatalogCsv(text);
  if (!result.ok) {
    const lines = result.errors.map((e) => `  line ${e.line}: ${e.message}`).join("\n");
    throw new CommandFailure(`the catalog ${file} has ${result.errors.length} bad row(s):\n${lines}`, { file, errors: result.errors });
  }
  // Several vendor rows may repeat a SKU; the parser needs each product once.
  const seen = new Set<string>();
  const products = result.rows.filter((row) => !seen.has(row.sku.toUpperCase()) && seen.add(row.sku.toUpperCase()));
  return buildCatalogIndex(products);
}

async function parseJsonLines(context: CommandContext, index: CatalogIndex): Promise<void> {
  const lines = createInterface({ input: context.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber++;
    if (!raw.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      context.output.out(JSON.stringify({ id: null, line: lineNumber, error: `not valid JSON: ${(error as Error).message}` }));
      continue;
    }
    const record = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    const id = record && (typeof record.id === "string" || typeof record.id === "number") ? String(record.id) : undefined;
    if (!record || id === undefined || typeof record.text !== "string") {
      const error = 'expected an object {"id": string, "text": string}';
      context.output.out(JSON.stringify({ id: id ?? null, line: lineNumber, error }));
      continue;
    }
    context.output.out(JSON.stringify(toParseContractLine(id, parseMessage(record.text, index))));
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

const REASONS: Record<string, string> = {
  unknown_product: "no product in the catalog fits these words",
  ambiguous: "several products fit equally; the retailer must choose",
  no_quantity: "no usable quantity was given",
  unit_mismatch: "the quantity or size cannot be expressed in the product's sale unit",
};

/** A person-readable account of one parse: what matched, how sure, what was left and why. */
export function explainParse(text: string, parsed: ParsedMessage, index: CatalogIndex): string {
  if (parsed.rejected) return `Not read: ${parsed.rejected.reason}`;
  const bySku = new Map(index.products.map((p) => [p.sku, p]));
  const lines = [`Intent: ${parsed.intent}${parsed.orderNumber ? ` (order ${parsed.orderNumber})` : ""}`];
  if (parsed.intent !== "order") {
    lines.push(text.trim() ? "No order lines: this message is not an order." : "The message is empty.");
    return lines.join("\n");
  }
  if (parsed.items.length > 0) lines.push("", "Matched:");
  for (const item of parsed.items) {
    const product = bySku.get(item.sku);
    lines.push(
      `  "${item.text}" -> ${item.sku} (${product?.name ?? "?"}) x ${item.quantity} ${product?.unit ?? ""}   confidence ${Math.round(item.confidence * 100)}%`,
    );
  }
  if (parsed.unresolved.length > 0) lines.push("", "Not matched:");
  for (const item of parsed.unresolved) {
    lines.push(`  "${item.text}": ${REASONS[item.reason] ?? item.reason}${item.quantity !== undefined ? ` (quantity ${item.quantity})` : ""}`);
    item.candidates.forEach((sku, i) => {
      const per = item.candidateQuantities?.[i];
      lines.push(`      candidate ${sku} (${bySku.get(sku)?.name ?? "?"})${per !== undefined ? ` -> x ${per}` : ""}`);
    });
  }
  return lines.join("\n");
}
