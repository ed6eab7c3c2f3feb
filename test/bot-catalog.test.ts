// The bot caches the catalog and reloads it when the catalog's version moves: every way of
// changing products (an import, a plain UPDATE that leaves updated_at alone, a new or retired
// product) is seen by the very next message of an already running bot.
import { parseCatalogCsv } from "@khaacho/core";
import { catalogVersion, importCatalog } from "@khaacho/db";
import { expect, it } from "vitest";
import { botOn, RAM, retailerChat, seed } from "./support/bot.js";
import { describeEachDatabase } from "./support/databases.js";

const HEADER = "sku,name,unit,price,aliases,category,vendor,cost,stock";

function rows(text: string) {
  const parsed = parseCatalogCsv(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rows;
}

describeEachDatabase("bot: catalog changes", (ctx) => {
  const clock = { now: new Date("2026-02-10T04:00:00.000Z") };

  it("a running bot answers with the new price after an import, a direct update, and a new or retired product", async () => {
    await seed(ctx.db, "docs");
    const k = ctx.db.knex;
    const bot = botOn(ctx.db, clock);
    const ram = retailerChat(() => bot, RAM, clock);
    const order = async (text: string) => {
      const replies = (await ram.send(text)).join("\n");
      await ram.send("CANCEL");
      return replies;
    };

    expect(await order("RICE-1KG x 10")).toContain("Qty: 10 × Rs.150 = Rs.1500");
    const seeded = await catalogVersion(k);
    // A message that changes nothing leaves the version alone.
    expect(await order("RICE-1KG x 10")).toContain("Qty: 10 × Rs.150 = Rs.1500");
    expect(await catalogVersion(k)).toBe(seeded);

    await importCatalog(k, rows(`${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,155,rice|chamal,Rice,,,\n`));
    const imported = await catalogVersion(k);
    expect(imported).not.toBe(seeded);
    expect(await order("RICE-1KG x 10")).toContain("Qty: 10 × Rs.155 = Rs.1550");

    // An operator's UPDATE that does not touch updated_at still moves the version.
    await k("products").where({ sku: "RICE-1KG" }).update({ price_paisa: 16_000 });
    const updated = await catalogVersion(k);
    expect(updated).not.toBe(imported);
    expect(await order("RICE-1KG x 10")).toContain("Qty: 10 × Rs.160 = Rs.1600");

    await k("products").insert({ sku: "GHEE-1L", name: "Cow Ghee 1L", unit: "jar", price_paisa: 115_000, aliases: ["ghiu"] });
    expect(await catalogVersion(k)).not.toBe(updated);
    expect(await order("GHEE-1L x 2")).toContain("Qty: 2 × Rs.1150 = Rs.2300");

    await k("products").where({ sku: "GHEE-1L" }).update({ active: false });
    expect(await order("GHEE-1L x 2")).not.toContain("Rs.1150");
  });
});
