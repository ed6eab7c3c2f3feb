// Order fixtures written straight into the tables, so order tests do not depend on the catalog and
// retailer use-cases.
import { changeOrderStatus, placeOrder } from "@khaacho/db";
import type { Knex } from "knex";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`.toUpperCase().slice(-10);
const phone = () => `+97798${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;

/** Inserts a retailer and returns its row. */
export async function insertRetailer(knex: Knex, init: { limitPaisa: number; code?: string; status?: string; name?: string }): Promise<{ id: number; code: string; phone: string }> {
  const code = init.code ?? `R${unique()}`;
  const [row] = await knex("retailers")
    .insert({ code, name: init.name ?? `Shop ${code}`, phone: phone(), credit_limit_paisa: init.limitPaisa, status: init.status ?? "ACTIVE" })
    .returning(["id", "code", "phone"]);
  return row as { id: number; code: string; phone: string };
}

/** Inserts a vendor and returns its row. */
export async function insertVendor(knex: Knex, init: { code?: string; name?: string } = {}): Promise<{ id: number; code: string; phone: string }> {
  const code = init.code ?? `V${unique()}`;
  const [row] = await knex("vendors").insert({ code, name: init.name ?? `Vendor ${code}`, phone: phone() }).returning(["id", "code", "phone"]);
  return row as { id: number; code: string; phone: string };
}

/** Inserts a product and returns its row. */
export async function insertProduct(knex: Knex, init: { pricePaisa: number; sku?: string; name?: string; unit?: string }): Promise<{ id: number; sku: string }> {
  const sku = init.sku ?? `SKU-${unique()}`;
  const [row] = await knex("products").insert({ sku, name: init.name ?? `Product ${sku}`, unit: init.unit ?? "pc", price_paisa: init.pricePaisa }).returning(["id", "sku"]);
  return row as { id: number; sku: string };
}

/** Inserts a vendor's offer for a product. */
export async function insertOffer(knex: Knex, init: { vendorId: number; productId: number; costPaisa: number; stock: number }): Promise<number> {
  const [row] = await knex("vendor_products")
    .insert({ vendor_id: init.vendorId, product_id: init.productId, cost_paisa: init.costPaisa, stock: init.stock })
    .returning(["id"]);
  return (row as { id: number }).id;
}

/** The seed guide's two products (Rs.150 rice, Rs.120 dal) from one vendor, unique SKUs per call. */
export async function seedGuideCatalog(knex: Knex, stock = 1000): Promise<{ vendor: { id: number; code: string; phone: string }; rice: string; dal: string }> {
  const vendor = await insertVendor(knex, { name: "ABC Distributors" });
  const tag = unique();
  const rice = await insertProduct(knex, { sku: `RICE-1KG-${tag}`, name: "Basmati Rice 1KG", unit: "packet", pricePaisa: 15000 });
  const dal = await insertProduct(knex, { sku: `DAL-1KG-${tag}`, name: "Toor Dal 1KG", unit: "packet", pricePaisa: 12000 });
  await insertOffer(knex, { vendorId: vendor.id, productId: rice.id, costPaisa: 13500, stock });
  await insertOffer(knex, { vendorId: vendor.id, productId: dal.id, costPaisa: 10800, stock });
  return { vendor, rice: rice.sku, dal: dal.sku };
}

/** Counts of the rows an order placement writes, to prove nothing partial is left. */
export async function placementFootprint(knex: Knex): Promise<Record<string, number>> {
  const result = await knex.raw<{ rows: Record<string, number>[] }>(
    `select (select count(*) from orders)::int as orders, (select count(*) from order_items)::int as items,
            (select count(*) from order_events)::int as events, (select count(*) from credit_holds)::int as holds,
            (select count(*) from outbox)::int as outbox, (select coalesce(sum(reserved), 0) from vendor_products)::int as reserved,
            (select coalesce(sum(stock), 0) from vendor_products)::int as stock, (select coalesce(sum(open_holds_paisa), 0) from retailers)::bigint as open_holds`,
  );
  return result.rows[0] ?? {};
}

/** Places a one-line order and takes it through to DELIVERED, all at 06:00 UTC on `on` (Kathmandu dates); returns its number. */
export async function deliveredOrder(knex: Knex, retailerId: number, sku: string, quantity: number, on: string): Promise<string> {
  const now = new Date(`${on}T06:00:00Z`);
  const timeZone = "Asia/Kathmandu";
  const placed = await placeOrder(knex, { retailerId, lines: [{ sku, quantity }], source: "cli", actor: "ops", now, vatRateBasisPoints: 1300, timeZone });
  if (!placed.ok) throw new Error(JSON.stringify(placed.refusal));
  for (const action of ["accept", "dispatch", "deliver"] as const) {
    await changeOrderStatus(knex, { number: placed.order.number, action, actor: "ops", now, timeZone });
  }
  return placed.order.number;
}
