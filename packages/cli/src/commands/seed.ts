import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DomainError, requireRupees } from "@khaacho/core";
import { addRetailer, addVendor, type Database, getRetailerByCode, getVendorByCode, importCatalog, inTransaction } from "@khaacho/db";
import { Command } from "commander";
import { parse } from "csv-parse/sync";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { action } from "./action.js";
import { readCatalogFile } from "./products.js";

/** The examples/ folder at the repository root. */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../examples");

/** Each example data set: which files of examples/ it loads. */
export const EXAMPLE_SETS = {
  surkhet: {
    description: "a Surkhet distributor network: 3 vendors, 6 retailers, 82 products with offers",
    vendors: "vendors.csv",
    retailers: "retailers.csv",
    catalogs: ["catalog.csv", "offers.csv"],
  },
  docs: {
    description: "the product guide's worked example: RICE-1KG and DAL-1KG from ABC Distributors",
    vendors: "docs-vendors.csv",
    retailers: "retailers.csv",
    catalogs: ["docs-catalog.csv"],
  },
} as const satisfies Record<string, { description: string; vendors: string; retailers: string; catalogs: readonly string[] }>;

/** Name of an example data set. */
export type ExampleName = keyof typeof EXAMPLE_SETS;

function readRecords(dir: string, file: string): { line: number; values: Record<string, string> }[] {
  const records = parse(readFileSync(join(dir, file), "utf8"), { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as unknown as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  return records.map((r) => ({ line: r.info.lines, values: r.record }));
}

/** What seeding added. Rows that already exist are left exactly as they are, so seeding twice changes nothing. */
export interface SeedSummary {
  example: ExampleName;
  vendorsAdded: number;
  retailersAdded: number;
  productsAdded: number;
  offersAdded: number;
  /** Products (and offers) of the example that were already in the database and were kept as they are. */
  productsKept: number;
  offersKept: number;
}

/** Loads an example data set (its files in `dir`, examples/ by default) into an open database, in one transaction. */
export async function seedExample(context: CommandContext, db: Database, example: ExampleName, dir: string = EXAMPLES_DIR): Promise<SeedSummary> {
  const set = EXAMPLE_SETS[example];
  // Every file is read and checked before anything is written.
  const catalogRows = set.catalogs.flatMap((file) => readCatalogFile(context, join(dir, file)));
  const vendors = readRecords(dir, set.vendors);
  const retailers = readRecords(dir, set.retailers);
  const where = (file: string, line: number, error: unknown) =>
    error instanceof DomainError ? new DomainError(error.code, `${file} line ${line}: ${error.message}`, { file, line, ...error.details }) : error;
  return inTransaction(db.knex, async (trx) => {
    let vendorsAdded = 0;
    let retailersAdded = 0;
    for (const { line, values } of vendors) {
      if (await getVendorByCode(trx, values.code ?? "")) continue;
      try {
        await addVendor(trx, { code: values.code ?? "", name: values.name ?? "", phone: values.phone ?? "", area: values.area });
      } catch (error) {
        throw where(set.vendors, line, error);
      }
      vendorsAdded++;
    }
    for (const { line, values } of retailers) {
      if (await getRetailerByCode(trx, values.code ?? "")) continue;
      try {
        await addRetailer(trx, {
          code: values.code ?? "",
          name: values.name ?? "",
          phone: values.phone ?? "",
          creditLimitPaisa: requireRupees(values.credit_limit ?? "", "credit_limit"),
          area: values.area,
          // addRetailer names a bad value; an empty cell means the default.
          language: (values.language || undefined) as "en" | "ne" | undefined,
        });
      } catch (error) {
        throw where(set.retailers, line, error);
      }
      retailersAdded++;
    }
    const catalog = await importCatalog(trx, catalogRows, { keepExisting: true });
    return {
      example,
      vendorsAdded,
      retailersAdded,
      productsAdded: catalog.created,
      offersAdded: catalog.offers,
      productsKept: catalog.unchanged,
      offersKept: catalog.offersUnchanged,
    };
  });
}

/** One sentence saying what seeding did. */
export function describeSeed(summary: SeedSummary): string {
  const kept = summary.productsKept + summary.offersKept > 0 ? `; ${summary.productsKept} product(s) and ${summary.offersKept} offer(s) were already there and were left as they are` : "";
  return `Seeded example "${summary.example}": added ${summary.vendorsAdded} vendor(s), ${summary.retailersAdded} retailer(s), ${summary.productsAdded} product(s) and ${summary.offersAdded} vendor offer(s)${kept}.`;
}

/** Checks a `--example` value. */
export function exampleName(value: string): ExampleName {
  if (value in EXAMPLE_SETS) return value as ExampleName;
  throw new UsageError(`unknown example "${value}"; choose one of: ${Object.keys(EXAMPLE_SETS).join(", ")}`);
}

/** `khaacho seed [--example NAME]`. */
export function seedCommand(context: CommandContext): Command {
  return new Command("seed")
    .description("load example vendors, retailers, products and offers (safe to run again)")
    .option("--example <NAME>", `example data set: ${Object.keys(EXAMPLE_SETS).join(" or ")}`, "surkhet")
    .addHelpText(
      "after",
      `
Example data sets (files in examples/):
${Object.entries(EXAMPLE_SETS)
  .map(([name, set]) => `  ${name.padEnd(8)} ${set.description}\n           ${[set.vendors, set.retailers, ...set.catalogs].join(", ")}`)
  .join("\n")}

Vendors and retailers are matched by code, products by SKU, offers by vendor and product. Anything
already in the database is left exactly as it is (prices, stock, credit limits), so seeding twice
changes nothing. Everything is checked first and written in one transaction.`,
    )
    .action(
      action(context, async (options: { example: string }) => {
        const example = exampleName(options.example);
        const summary = await context.withDatabase((db) => seedExample(context, db, example));
        return {
          data: summary,
          human: describeSeed(summary),
        };
      }),
    );
}
