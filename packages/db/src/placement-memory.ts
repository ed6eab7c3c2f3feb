import type { CatalogPrice, VendorOffer } from "@khaacho/core";
import type { Executor } from "./transaction.js";

/** A product as placement last read it: its price and every active vendor's offer (no stock). */
export interface RememberedProduct {
  price: CatalogPrice;
  offers: (VendorOffer & { vendorPhone: string })[];
}

/** A retailer's names as placement last read them. */
export interface RememberedRetailer {
  id: number;
  code: string;
  name: string;
  phone: string;
}

// Enough for a large catalog and retailer base; past it, start again rather than grow without end.
const MAX_PRODUCTS = 50_000;
const MAX_RETAILERS = 200_000;
// How long a remembered product stands in for a read. Its vendors' records (delivered and rejected
// orders, which rank vendors tied on cost) move without a catalog change; read again after this.
const MAX_PRODUCT_AGE_MS = 10 * 60_000;

/**
 * What order placement read before, so that a later placement can decide without reading and
 * send its decision in one round trip (`khaacho_place_cached`). Nothing here is trusted: the
 * database checks that the catalog version, the prices and the retailer's names are still these,
 * and reads the stock itself. Products are remembered at one catalog version; a read at another
 * version starts them afresh, and each is read again after ten minutes (its vendors' records).
 */
export class PlacementMemory {
  catalogVersion: number | undefined;
  readonly #products = new Map<string, { product: RememberedProduct; at: number }>();
  readonly retailers = new Map<number, RememberedRetailer>();

  /** Remembers what one read found, at the catalog version it was read at; `nowMs` is when. */
  remember(catalogVersion: number, retailer: RememberedRetailer, products: Iterable<RememberedProduct>, nowMs = Date.now()): void {
    if (catalogVersion !== this.catalogVersion || this.#products.size >= MAX_PRODUCTS) this.forgetCatalog(catalogVersion);
    if (this.retailers.size >= MAX_RETAILERS) this.retailers.clear();
    this.retailers.set(retailer.id, retailer);
    for (const product of products) this.#products.set(product.price.sku, { product, at: nowMs });
  }

  /** A product remembered recently enough to decide from, or undefined. */
  product(sku: string, nowMs = Date.now()): RememberedProduct | undefined {
    const remembered = this.#products.get(sku);
    return remembered && nowMs - remembered.at <= MAX_PRODUCT_AGE_MS ? remembered.product : undefined;
  }

  /** Forgets every product (the catalog moved on), optionally noting the version now current. */
  forgetCatalog(catalogVersion?: number): void {
    this.#products.clear();
    this.catalogVersion = catalogVersion;
  }
}

// One memory per database: knex's transactions share their knex instance's config object, and
// each `openDatabase` builds its own, so two databases in one process never share what they read.
const memories = new WeakMap<object, PlacementMemory>();

/** The placement memory of the database an executor (knex or one of its transactions) talks to. */
export function placementMemory(executor: Executor): PlacementMemory {
  const key = (executor as unknown as { client: { config: object } }).client.config;
  let memory = memories.get(key);
  if (!memory) memories.set(key, (memory = new PlacementMemory()));
  return memory;
}
