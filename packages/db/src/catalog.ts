import { type CatalogProduct, type CatalogRow, DomainError } from "@khaacho/core";
import { inTransaction, type Executor } from "./transaction.js";

/** What an import changed. */
export interface CatalogImportSummary {
  products: number;
  created: number;
  updated: number;
  unchanged: number;
  offers: number;
}

/** A product with every vendor's offer, for `products list`. */
export interface ProductWithOffers extends CatalogProduct {
  category: string | undefined;
  offers: { vendorCode: string; costPaisa: number; stock: number; reserved: number }[];
}

/**
 * Imports validated catalog rows (from core `parseCatalogCsv`) in one transaction: products are
 * upserted by SKU (a re-import updates, never duplicates) and vendor offers by (vendor, product).
 * An unknown vendor code fails the whole import, naming the CSV line; nothing is written.
 */
export async function importCatalog(executor: Executor, rows: readonly CatalogRow[]): Promise<CatalogImportSummary> {
  return inTransaction(executor, async (trx) => {
    const vendorCodes = [...new Set(rows.flatMap((r) => (r.offer ? [r.offer.vendorCode] : [])))];
    const vendors = vendorCodes.length
      ? ((await trx("vendors").select("id", "code").whereIn("code", vendorCodes)) as { id: number; code: string }[])
      : [];
    const vendorId = new Map(vendors.map((v) => [v.code, v.id]));
    const unknown = rows.filter((r) => r.offer && !vendorId.has(r.offer.vendorCode));
    if (unknown.length > 0) {
      throw new DomainError(
        "invalid_csv",
        unknown.map((r) => `line ${r.line}: vendor ${r.offer?.vendorCode} does not exist (add it with khaacho vendors add)`).join("\n"),
        { lines: unknown.map((r) => r.line) },
      );
    }

    const products = new Map<string, CatalogRow>();
    for (const row of rows) if (!products.has(row.sku)) products.set(row.sku, row);
    const existing = (await trx("products")
      .select("sku", "name", "unit", "price_paisa", "aliases", "category", "active")
      .whereIn("sku", [...products.keys()])) as { sku: string; name: string; unit: string; price_paisa: number; aliases: string[]; category: string | null; active: boolean }[];
    const before = new Map(existing.map((p) => [p.sku, p]));

    let created = 0;
    let updated = 0;
    let unchanged = 0;
    for (const row of products.values()) {
      const old = before.get(row.sku);
      if (!old) created++;
      else if (
        old.name === row.name &&
        old.unit === row.unit &&
        old.price_paisa === row.pricePaisa &&
        (old.category ?? undefined) === row.category &&
        old.active &&
        JSON.stringify(old.aliases) === JSON.stringify(row.aliases)
      )
        unchanged++;
      else updated++;
    }

    const productRows = [...products.values()].map((r) => ({
      sku: r.sku,
      name: r.name,
      unit: r.unit,
      price_paisa: r.pricePaisa,
      aliases: r.aliases,
      category: r.category ?? null,
      active: true,
    }));
    const ids = new Map<string, number>();
    for (let i = 0; i < productRows.length; i += 500) {
      const inserted = (await trx("products")
        .insert(productRows.slice(i, i + 500))
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
      for (const p of inserted) ids.set(p.sku, p.id);
    }

    const offers = rows.flatMap((r) =>
      r.offer
        ? [{ vendor_id: vendorId.get(r.offer.vendorCode) as number, product_id: ids.get(r.sku) as number, cost_paisa: r.offer.costPaisa, stock: r.offer.stock }]
        : [],
    );
    for (let i = 0; i < offers.length; i += 500) {
      await trx("vendor_products")
        .insert(offers.slice(i, i + 500))
        .onConflict(["vendor_id", "product_id"])
        .merge({ cost_paisa: trx.raw("excluded.cost_paisa"), stock: trx.raw("excluded.stock"), updated_at: trx.fn.now() });
    }
    return { products: products.size, created, updated, unchanged, offers: offers.length };
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
  return products.map((p) => ({ ...p, category: p.category, offers: bySku.get(p.sku) ?? [] }));
}

/** A cheap fingerprint of the catalog: changes whenever a product or price changes. */
export async function catalogVersion(executor: Executor): Promise<string> {
  const row = (await executor("products").select(executor.raw("count(*)::int as n"), executor.raw("max(updated_at) as latest")).first()) as {
    n: number;
    latest: Date | null;
  };
  return `${row.n}:${row.latest?.toISOString() ?? "-"}`;
}
