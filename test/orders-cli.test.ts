// The orders, payments and ledger commands end to end on an embedded data directory.
import { join } from "node:path";
import { migrateLatest, openDatabase } from "@khaacho/db";
import { expect, it } from "vitest";
import { runCli, tempWorkspace } from "./support/cli.js";
import { insertOffer, insertProduct, insertRetailer, insertVendor } from "./support/order-fixtures.js";

it("places, moves, pays, reports and verifies from the command line", async () => {
  const workspace = tempWorkspace();
  const db = await openDatabase({ dataDir: join(workspace.cwd, "data") });
  try {
    await migrateLatest(db.knex);
    const vendor = await insertVendor(db.knex, { code: "V-ABC", name: "ABC Distributors" });
    const rice = await insertProduct(db.knex, { sku: "RICE-1KG", name: "Basmati Rice 1KG", unit: "packet", pricePaisa: 15000 });
    const dal = await insertProduct(db.knex, { sku: "DAL-1KG", name: "Toor Dal 1KG", unit: "packet", pricePaisa: 12000 });
    await insertOffer(db.knex, { vendorId: vendor.id, productId: rice.id, costPaisa: 13500, stock: 100 });
    await insertOffer(db.knex, { vendorId: vendor.id, productId: dal.id, costPaisa: 10800, stock: 100 });
    await insertRetailer(db.knex, { code: "R-RAM", limitPaisa: 5000_00 });
  } finally {
    await db.close();
  }
  const cli = (...argv: string[]) => runCli(argv, workspace);

  const placed = await cli("orders", "place", "--retailer", "R-RAM", "--item", "RICE-1KG=10", "--item", "DAL-1KG=5", "--key", "call-1", "--json");
  expect(placed.code).toBe(0);
  const order = JSON.parse(placed.out).order;
  expect(order).toMatchObject({ subtotalPaisa: 210000, vatPaisa: 27300, totalPaisa: 237300, status: "PENDING" });
  const again = await cli("orders", "place", "--retailer", "R-RAM", "--item", "RICE-1KG=10", "--item", "DAL-1KG=5", "--key", "call-1", "--json");
  expect(JSON.parse(again.out)).toMatchObject({ replayed: true, order: { number: order.number } });

  const refused = await cli("orders", "place", "--retailer", "R-RAM", "--item", "RICE-1KG=20");
  expect(refused.code).toBe(1);
  expect(refused.err).toContain("credit_limit");
  expect(refused.err).toContain("available credit Rs.2627.00");
  const refusedJson = await cli("orders", "place", "--retailer", "R-RAM", "--item", "NOPE=1", "--json");
  expect(refusedJson.code).toBe(1);
  expect(JSON.parse(refusedJson.out).error.details.refusal).toEqual({ reason: "unknown_sku", skus: ["NOPE"] });
  expect((await cli("orders", "place", "--retailer", "R-RAM", "--item", "RICE-1KG")).code).toBe(2);

  const shown = await cli("orders", "show", order.number);
  expect(shown.out).toContain("Total: Rs.2,373.00");
  for (const step of ["accept", "dispatch", "deliver"]) expect((await cli("orders", step, order.number)).code).toBe(0);
  const cancel = await cli("orders", "cancel", order.number);
  expect(cancel.code).toBe(1);
  expect(cancel.err).toContain("DELIVERED");

  const paid = await cli("payments", "record", "--retailer", "R-RAM", "--amount", "2500", "--reference", "RCPT-9", "--method", "esewa", "--json");
  expect(JSON.parse(paid.out)).toMatchObject({ replayed: false, payment: { amountPaisa: 250000, unallocatedPaisa: 12700 }, allocations: [{ orderNumber: order.number, amountPaisa: 237300 }] });
  const balance = JSON.parse((await cli("ledger", "balance", "--retailer", "R-RAM", "--json")).out);
  expect(balance.credit).toMatchObject({ receivablePaisa: 0, creditBalancePaisa: 12700, availablePaisa: 5000_00 + 12700 });
  const list = JSON.parse((await cli("orders", "list", "--retailer", "R-RAM", "--json")).out);
  expect(list.orders.map((o: { number: string }) => o.number)).toEqual([order.number]);
  const statement = JSON.parse((await cli("ledger", "statement", "--retailer", "R-RAM", "--from", "2000-01-01", "--to", "2100-01-01", "--json")).out).statement;
  expect(statement.lines.map((l: { kind: string }) => l.kind)).toEqual(["order_delivery", "payment"]);
  expect(statement.closingBalancePaisa).toBe(-12700);
  expect((await cli("ledger", "statement", "--retailer", "R-RAM", "--from", "2026-13-01")).code).toBe(2);

  // Paying the vendor: its cost of the order is Rs.1,890.00 (10 x 135 + 5 x 108).
  const settled = await cli("payments", "settle", "--vendor", "V-ABC", "--amount", "1500", "--reference", "NEFT-1");
  expect(settled.code).toBe(0);
  expect(settled.out).toContain(`paid Rs.1,500.00 of order #${order.number}`);
  expect(settled.out).toContain("Khaacho now owes V-ABC Rs.390.00.");
  expect((await cli("vendors", "show", "V-ABC")).out).toContain("Owed:   Rs.390.00 (unsettled deliveries Rs.390.00, advance Rs.0.00)");
  expect((await cli("orders", "show", order.number)).out).toContain("Vendor cost: Rs.1,890.00   Settled to vendor: Rs.1,500.00");
  expect((await cli("payments", "settle", "--vendor", "V-NONE", "--amount", "1")).code).toBe(1);
  const undone = JSON.parse((await cli("payments", "reverse-settlement", "NEFT-1", "--reason", "typo", "--json")).out);
  expect(undone).toMatchObject({ replayed: false, payableBalancePaisa: 189000, settlement: { reference: "NEFT-1", allocatedPaisa: 0 } });

  const verified = await cli("ledger", "verify");
  expect(verified.code).toBe(0);
  expect(verified.out).toContain("Ledger OK");

  const tamper = await openDatabase({ dataDir: join(workspace.cwd, "data") });
  try {
    await tamper.knex("ledger_accounts").where({ code: "liability:vat-payable" }).increment("balance_paisa", 100);
  } finally {
    await tamper.close();
  }
  const broken = await cli("ledger", "verify");
  expect(broken.code).toBe(1);
  expect(broken.err).toContain("[cached_balance] account liability:vat-payable caches");
}, 60_000);
