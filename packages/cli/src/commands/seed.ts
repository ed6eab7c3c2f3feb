import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DomainError, requireRupees } from "@khaacho/core";
import { addRetailer, addVendor, type Database, getRetailerByCode, getVendorByCode, importCatalog } from "@khaacho/db";
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

function readRecords(file: string): { line: number; values: Record<string, string> }[] {
  const records = parse(readFileSync(join(EXAMPLES_DIR, file), "utf8"), { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as unknown as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  return records.map((r) => ({ line: r.info.lines, values: r.record }));
}

/** What seeding added (existing rows are left as they are, so seeding twice is harmless). */
export interface SeedSummary {
  example: ExampleName;
  vendorsAdded: number;
  retailersAdded: number;
  products: number;
  offers: number;
}

/** Loads an example data set into an open database. */
export async function seedExample(context: CommandContext, db: Database, example: ExampleName): Promise<SeedSummary> {
  const set = EXAMPLE_SETS[example];
  const catalogRows = set.catalogs.flatMap((file) => readCatalogFile(context, join(EXAMPLES_DIR, file)));
  let vendorsAdded = 0;
  let retailersAdded = 0;
  const where = (file: string, line: number, error: unknown) =>
    new DomainError("invalid_input", `${file} line ${line}: ${(error as Error).message}`, { file, line });
  for (const { line, values } of readRecords(set.vendors)) {
    if (await getVendorByCode(db.knex, values.code ?? "")) continue;
    try {
      await addVendor(db.knex, { code: values.code ?? "", name: values.name ?? "", phone: values.phone ?? "", area: values.area });
    } catch (error) {
      throw where(set.vendors, line, error);
    }
    vendorsAdded++;
  }
  for (const { line, values } of readRecords(set.retailers)) {
    if (await getRetailerByCode(db.knex, values.code ?? "")) continue;
    try {
      await addRetailer(db.knex, {
        code: values.code ?? "",
        name: values.name ?? "",
        phone: values.phone ?? "",
        creditLimitPaisa: requireRupees(values.credit_limit ?? "", "credit_limit"),
        area: values.area,
        language: values.language === "ne" ? "ne" : "en",
      });
    } catch (error) {
      throw where(set.retailers, line, error);
    }
    retailersAdded++;
  }
  const summary = await importCatalog(db.knex, catalogRows);
  return { example, vendorsAdded, retailersAdded, products: summary.products, offers: summary.offers };
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
    .option("--example <NAME>", `example data set: ${Object.entries(EXAMPLE_SETS).map(([k, v]) => `${k} (${v.description})`).join("; ")}`, "surkhet")
    .action(
      action(context, async (options: { example: string }) => {
        const example = exampleName(options.example);
        const summary = await context.withDatabase((db) => seedExample(context, db, example));
        return {
          data: summary,
          human: `Seeded example "${example}": ${summary.vendorsAdded} vendor(s) and ${summary.retailersAdded} retailer(s) added, ${summary.products} product(s) and ${summary.offers} offer(s) loaded.`,
        };
      }),
    );
}
