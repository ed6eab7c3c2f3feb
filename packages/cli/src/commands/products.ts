import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DomainError, formatRupees, parseCatalogCsv } from "@khaacho/core";
import { importCatalog, listProductsWithOffers } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure } from "../errors.js";
import { renderTable } from "../output.js";
import { action } from "./action.js";

/** Reads and validates a catalog CSV file; throws naming every bad line. */
export function readCatalogFile(context: CommandContext, file: string) {
  const path = resolve(context.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CommandFailure(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  const parsed = parseCatalogCsv(text);
  if (!parsed.ok) {
    throw new DomainError("invalid_csv", `${file} has ${parsed.errors.length} bad line(s); nothing was imported:\n${parsed.errors.map((e) => `  line ${e.line}: ${e.message}`).join("\n")}`, {
      file,
      errors: parsed.errors,
    });
  }
  return parsed.rows;
}

/** `khaacho products import FILE.csv | list`. */
export function productsCommand(context: CommandContext): Command {
  const products = new Command("products").description("the product catalog and vendor offers");

  products
    .command("import")
    .description("import a catalog CSV (sku,name,unit,price,aliases[,category,vendor,cost,stock]); all rows or none")
    .argument("<file>", "catalog CSV file")
    .action(
      action(context, async (file: string) => {
        const rows = readCatalogFile(context, file);
        const summary = await context.withDatabase((db) => importCatalog(db.knex, rows)).catch((error: unknown) => {
          if (error instanceof DomainError && error.code === "invalid_csv") {
            throw new DomainError("invalid_csv", `${file}: ${error.message.replace(/\n/g, "\n  ")}`, { file, ...error.details });
          }
          throw error;
        });
        return {
          data: summary,
          human: `Imported ${summary.products} product(s) from ${file}: ${summary.created} new, ${summary.updated} updated, ${summary.unchanged} unchanged; ${summary.offers} vendor offer(s).`,
        };
      }),
    );

  products
    .command("list")
    .description("list products with their price and vendor offers")
    .action(
      action(context, async () => {
        const list = await context.withDatabase((db) => listProductsWithOffers(db.knex));
        return {
          data: list,
          human:
            list.length === 0
              ? "No products yet. Import some: khaacho products import examples/catalog.csv"
              : renderTable(list, [
                  { header: "SKU", value: (p) => p.sku },
                  { header: "Name", value: (p) => p.name },
                  { header: "Unit", value: (p) => p.unit },
                  { header: "Price", value: (p) => formatRupees(p.pricePaisa, { grouping: "indian" }), align: "right" },
                  { header: "Stock", value: (p) => p.offers.reduce((sum, o) => sum + o.stock, 0), align: "right" },
                  { header: "Vendors", value: (p) => p.offers.map((o) => `${o.vendorCode} ${formatRupees(o.costPaisa, { grouping: "indian" })}`).join(", ") },
                ]),
        };
      }),
    );
  return products;
}
