import { parse } from "csv-parse/sync";
import { parseRupees } from "./money.js";

/** One row of a catalog CSV, validated. Vendor offer fields are all present or all absent. */
export interface CatalogRow {
  /** 1-based line number in the file, for messages. */
  line: number;
  sku: string;
  name: string;
  unit: string;
  pricePaisa: number;
  aliases: string[];
  category: string | undefined;
  offer: { vendorCode: string; costPaisa: number; stock: number } | undefined;
}

/** A problem with one line of a catalog CSV. */
export interface CsvLineError {
  line: number;
  message: string;
}

/** Outcome of reading a catalog CSV: every row, or every problem found. */
export type CatalogCsvResult = { ok: true; rows: CatalogRow[] } | { ok: false; errors: CsvLineError[] };

/** The columns every catalog CSV starts with, in this order (contract). */
export const CATALOG_REQUIRED_COLUMNS = ["sku", "name", "unit", "price", "aliases"] as const;

const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

/**
 * Reads a catalog CSV (header `sku,name,unit,price,aliases[,category,vendor,cost,stock,...]`).
 * Pure: the caller reads the file. All rows are checked and every problem is reported with its line
 * number; nothing is returned as valid unless the whole file is.
 * @example parseCatalogCsv("sku,name,unit,price,aliases\nRICE-1KG,Basmati Rice 1KG,kg,150,chamal|चामल\n")
 */
export function parseCatalogCsv(text: string): CatalogCsvResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === "number" ? (error as { lines: number }).lines : 1;
    return { ok: false, errors: [{ line, message: `the file is not valid CSV: ${(error as Error).message}` }] };
  }
  const headerRecord = records[0];
  if (!headerRecord) return { ok: false, errors: [{ line: 1, message: "the file is empty; expected a header sku,name,unit,price,aliases" }] };
  const header = headerRecord.record.map((h) => h.toLowerCase());
  const missingHeader = CATALOG_REQUIRED_COLUMNS.filter((column, i) => header[i] !== column);
  if (missingHeader.length > 0) {
    return {
      ok: false,
      errors: [{ line: headerRecord.info.lines, message: `the header must begin with sku,name,unit,price,aliases (got ${header.join(",")})` }],
    };
  }
  const at = (name: string) => header.indexOf(name);
  const [categoryAt, vendorAt, costAt, stockAt] = [at("category"), at("vendor"), at("cost"), at("stock")];

  const errors: CsvLineError[] = [];
  const rows: CatalogRow[] = [];
  const firstSeen = new Map<string, CatalogRow>();
  const offerSeen = new Map<string, number>();

  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const fail = (message: string) => errors.push({ line, message });
    if (record.length < CATALOG_REQUIRED_COLUMNS.length) {
      fail(`expected at least ${CATALOG_REQUIRED_COLUMNS.length} columns (sku,name,unit,price,aliases), found ${record.length}`);
      continue;
    }
    const cell = (index: number) => (index >= 0 ? (record[index] ?? "").trim() : "");
    const [sku, name, unit, priceText, aliasText] = [cell(0), cell(1), cell(2), cell(3), cell(4)];
    let rowOk = true;
    if (!SKU_PATTERN.test(sku)) {
      fail(`sku "${sku}" must be 1-64 letters, digits, '.', '-', '_' or '/'`);
      rowOk = false;
    }
    if (!name) {
      fail(`name is empty for sku ${sku}`);
      rowOk = false;
    }
    if (!unit) {
      fail(`unit is empty for sku ${sku}`);
      rowOk = false;
    }
    const pricePaisa = parseRupees(priceText);
    if (pricePaisa === undefined) {
      fail(`price "${priceText}" is not an amount in NPR with at most 2 decimals`);
      rowOk = false;
    }
    const vendorCode = cell(vendorAt);
    const costText = cell(costAt);
    const stockText = cell(stockAt);
    let offer: CatalogRow["offer"];
    if (vendorCode || costText || stockText) {
      if (!vendorCode || !costText || !stockText) {
        fail("vendor, cost and stock must be given together (a vendor offer needs all three)");
        rowOk = false;
      } else {
        const costPaisa = parseRupees(costText);
        if (costPaisa === undefined) {
          fail(`cost "${costText}" is not an amount in NPR with at most 2 decimals`);
          rowOk = false;
        }
        if (!/^-?\d+$/.test(stockText)) {
          fail(`stock "${stockText}" must be a whole number of sale units`);
          rowOk = false;
        } else if (Number(stockText) < 0) {
          fail(`stock ${stockText} is negative`);
          rowOk = false;
        }
        if (rowOk && costPaisa !== undefined) offer = { vendorCode, costPaisa, stock: Number(stockText) };
      }
    }
    if (!rowOk || pricePaisa === undefined) continue;

    const aliases = aliasText
      .split("|")
      .map((a) => a.trim())
      .filter((a, i, all) => a.length > 0 && all.indexOf(a) === i);
    const row: CatalogRow = { line, sku, name, unit: unit.toLowerCase(), pricePaisa, aliases, category: cell(categoryAt) || undefined, offer };

    const key = sku.toUpperCase();
    const earlier = firstSeen.get(key);
    if (earlier) {
      if (!earlier.offer || !row.offer) {
        fail(`sku ${sku} already appears on line ${earlier.line}; repeat a sku only with a different vendor on each row`);
        continue;
      }
      if (earlier.name !== row.name || earlier.unit !== row.unit || earlier.pricePaisa !== row.pricePaisa) {
        fail(`sku ${sku} has a different name, unit or price than on line ${earlier.line}`);
        continue;
      }
    } else {
      firstSeen.set(key, row);
    }
    if (row.offer) {
      const offerKey = `${key}\u0000${row.offer.vendorCode.toUpperCase()}`;
      const offerLine = offerSeen.get(offerKey);
      if (offerLine !== undefined) {
        fail(`sku ${sku} is listed twice for vendor ${row.offer.vendorCode} (also on line ${offerLine})`);
        continue;
      }
      offerSeen.set(offerKey, line);
    }
    rows.push(row);
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, message: "the file has a header but no products" });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}
