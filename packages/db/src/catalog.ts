import { type CatalogProduct, type CatalogRow, DomainError } from "@khaacho/core";
import { inTransaction, type Executor } from "./transaction.js";

/** What an import changed. */
export interface CatalogImportSummary {
  /** Distinct products in the input. */
  products: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Vendor offers inserted or changed (cost or stock). */
  offers: number;
  /** Vendor offers already exactly as given (or kept, with `keepExisting`). */
  offersUnchanged: number;
}

/** How an import treats products and offers that already exist. */
export interface CatalogImportOptions {
  /**
   * Leave existing products and offers exactly as they are and only add what is missing. Seeding
   * uses it, so loading the examples again never resets prices or stock sold since.
   */
  keepExisting?: boolean;
}

/** A product with every vendor's offer, for `products list` (category null when there is none, so JSON keeps the key). */
export interface ProductWithOffers extends Omit<CatalogProduct, "category"> {
  category: string | null;
  offers: { vendorCode: string; costPaisa: number; stock: number; reserved: number }[];
}

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  unit: string;
  price_paisa: number;
  aliases: string[];
  category: string | null;
  active: boolean;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function sameProduct(old: ProductRow, row: CatalogRow): boolean {
  return (
    old.active &&
    old.name === row.name &&
    old.unit === row.unit &&
    old.price_paisa === row.pricePaisa &&
    (old.category ?? undefined) === row.category &&
    JSON.stringify(old.aliases) === JSON.stringify(row.aliases)
  );
}

/**
 * Imports validated catalog rows (from core `parseCatalogCsv`) in one transaction: products are
 * upserted by SKU (a re-import updates, never duplicates) and vendor offers by (vendor, product).
 * An unknown vendor code fails the whole import, naming the CSV line; nothing is written. Rows that
 * would not change are not touched, so `updated_at` moves only on real changes.
 */
export async function importCatalog(executor: Executor, rows: readonly CatalogRow[], options: CatalogImportOptions = {}): Promise<CatalogImportSummary> {
  return inTransaction(executor, async (trx) => {
    const vendorCodes = [...new Set(rows.flatMap((r) => (r.offer ? [r.offer.vendorCode] : [])))];
    const vendorId = new Map<string, number>();
    for (const codes of chunks(vendorCodes)) {
      const found = (await trx("vendors").select("id", "code").whereIn("code", codes)) as { id: number; code: string }[];
      for (const v of found) vendorId.set(v.code, v.id);
    }
    const unknown = new Map<string, number[]>();
    for (const r of rows) {
      if (r.offer && !vendorId.has(r.offer.vendorCode)) unknown.set(r.offer.vendorCode, [...(unknown.get(r.offer.vendorCode) ?? []), r.line]);
    }
    if (unknown.size > 0) {
      // One line per missing vendor (a whole vendor's price list is usually missing at once), every line number kept.
      const problems = [...unknown].map(([code, lines]) => `${lines.length === 1 ? "line" : "lines"} ${lines.join(", ")}: vendor ${code} does not exist`);
      throw new DomainError(
        "invalid_csv",
        `${problems.join("\n")}\nnothing was imported; add the missing vendor(s) with khaacho vendors add, then import again`,
        { vendors: Object.fromEntries(unknown), lines: [...unknown.values()].flat().sort((a, b) => a - b) },
      );
    }

    // parseCatalogCsv treats SKUs case-insensitively; the first spelling in the file is the one stored.
    const spelling = new Map<string, string>();
    for (const row of rows) if (!spelling.has(row.sku.toUpperCase())) spelling.set(row.sku.toUpperCase(), row.sku);
    const skuOf = (row: CatalogRow) => spelling.get(row.sku.toUpperCase()) ?? row.sku;
    const products = new Map<string, CatalogRow>();
    for (const row of rows) if (!products.has(skuOf(row))) products.set(skuOf(row), row);
    const before = new Map<string, ProductRow>();
    for (const skus of chunks([...products.keys()])) {
      const found = (await trx("products").select("id", "sku", "name", "unit", "price_paisa", "aliases", "category", "active").whereIn("sku", skus)) as ProductRow[];
      for (const p of found) before.set(p.sku, p);
    }

    const toWrite: CatalogRow[] = [];
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    for (const row of products.values()) {
      const old = before.get(row.sku);
      if (!old) {
        created++;
        toWrite.push(row);
      } else if (options.keepExisting || sameProduct(old, row)) {
        unchanged++;
      } else {
        updated++;
        toWrite.push(row);
      }
    }

    const ids = new Map([...before.values()].map((p) => [p.sku, p.id]));
    for (const part of chunks(toWrite)) {
      const written = (await trx("products")
        .insert(part.map((r) => ({ sku: r.sku, name: r.name, unit: r.unit, price_paisa: r.pricePaisa, aliases: r.aliases, category: r.category ?? null, active: true })))
        .onConflict("sku")
        .merge({
          name: trx.raw("excluded.name"),
          unit: trx.raw("excluded.unit"),
          price_paisa: trx.raw("excluded.price_paisa"),
          aliases: trx.raw("excluded.aliases"),
          category: trx.raw("excluded.category"),
          active: true,
          updated_at: trx.fn.now(),
        })
        .returning(["id", "sku"])) as { id: number; sku: string }[];
      for (const p of written) ids.set(p.sku, p.id);
    }

    const offers = rows.flatMap((r) =>
      r.offer ? [{ vendor_id: vendorId.get(r.offer.vendorCode) as number, product_id: ids.get(skuOf(r)) as number, cost_paisa: r.offer.costPaisa, stock: r.offer.stock }] : [],
    );
    const offerKey = (o: { vendor_id: number; product_id: number }) => `${o.vendor_id}:${o.product_id}`;
    const existingOffers = new Map<string, { cost_paisa: number; stock: number }>();
    for (const productIds of chunks([...new Set(offers.map((o) => o.product_id))])) {
      const found = (await trx("vendor_products").select("vendor_id", "product_id", "cost_paisa", "stock").whereIn("product_id", productIds)) as {
        vendor_id: number;
        product_id: number;
        cost_paisa: number;
        stock: number;
      }[];
      for (const o of found) existingOffers.set(offerKey(o), o);
    }
    const offersToWrite = offers.filter((o) => {
      const old = existingOffers.get(offerKey(o));
      return !old || (!options.keepExisting && (old.cost_paisa !== o.cost_paisa || old.stock !== o.stock));
    });
    for (const part of chunks(offersToWrite)) {
      await trx("vendor_products")
        .insert(part)
        .onConflict(["vendor_id", "product_id"])
        .merge({ cost_paisa: trx.raw("excluded.cost_paisa"), stock: trx.raw("excluded.stock"), updated_at: trx.fn.now() });
    }
    return { products: products.size, created, updated, unchanged, offers: offersToWrite.length, offersUnchanged: offers.length - offersToWrite.length };
  });
}

/** Active products in the shape the parser's catalog index takes. */
export async function listProducts(executor: Executor): Promise<CatalogProduct[]> {
  const rows = (await executor("products")
    .select("sku", "name", "unit", "price_paisa", "aliases", "category")
    .where({ active: true })
    .orderBy("sku")) as { sku: string; name: string; unit: string; price_paisa: number; aliases: string[]; category: string | null }[];
  return rows.map((r) => ({ sku: r.sku, name: r.name, unit: r.unit, pricePaisa: r.price_paisa, aliases: r.aliases, category: r.category ?? undefined }));
}

/** Active products with every vendor's offer (cost, stock, reserved). */
export async function listProductsWithOffers(executor: Executor): Promise<ProductWithOffers[]> {
  const products = await listProducts(executor);
  const offers = (await executor("vendor_products as vp")
    .join("vendors as v", "v.id", "vp.vendor_id")
    .join("products as p", "p.id", "vp.product_id")
    .select("p.sku", "v.code as vendor_code", "vp.cost_paisa", "vp.stock", "vp.reserved")
    .orderBy(["p.sku", "v.code"])) as { sku: string; vendor_code: string; cost_paisa: number; stock: number; reserved: number }[];
  const bySku = new Map<string, ProductWithOffers["offers"]>();
  for (const o of offers) {
    const list = bySku.get(o.sku) ?? [];
    list.push({ vendorCode: o.vendor_code, costPaisa: o.cost_paisa, stock: o.stock, reserved: o.reserved });
    bySku.set(o.sku, list);
  }
  return products.map((p) => ({ ...p, category: p.category ?? null, offers: bySku.get(p.sku) ?? [] }));
}

/**
 * The catalog's version: a counter every statement writing `products` or `vendors`, or adding,
 * removing or re-costing offers, moves on (triggers, in the writer's transaction), so it changes
 * whenever a product, price, vendor or offer changes; reserving or releasing stock leaves it be.
 * One row, one read.
 */
export async function catalogVersion(executor: Executor): Promise<string> {
  const row = (await executor("catalog_version").select("version").first()) as { version: number } | undefined;
  return String(row?.version ?? 0);
}
