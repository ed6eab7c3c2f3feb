import { readFileSync } from "node:fs";
import { parseCatalogCsv } from "@khaacho/core";
import { addVendor, importCatalog, listProducts, listProductsWithOffers } from "@khaacho/db";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";

function rows(text: string) {
  const parsed = parseCatalogCsv(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.rows;
}

const HEADER = "sku,name,unit,price,aliases,category,vendor,cost,stock";

describeEachDatabase("catalog import", (ctx) => {
  it("imports products and offers, and a re-import updates instead of duplicating", async () => {
    const k = ctx.db.knex;
    await addVendor(k, { code: "V1", name: "Bheri", phone: "+9779858000001" });
    await addVendor(k, { code: "V2", name: "Karnali", phone: "+9779858000002" });
    const first = await importCatalog(
      k,
      rows(`${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,150,chamal,Rice,V1,130,40\nRICE-1KG,Basmati Rice 1KG,kg,150,chamal,Rice,V2,128,5\nDAL-1KG,Toor Dal 1KG,kg,120,dal,,,,\n`),
    );
    expect(first).toEqual({ products: 2, created: 2, updated: 0, unchanged: 0, offers: 2, offersUnchanged: 0 });
    const again = await importCatalog(k, rows(`${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,155,chamal|चामल,Rice,V1,131,50\nDAL-1KG,Toor Dal 1KG,kg,120,dal,,,,\n`));
    expect(again).toEqual({ products: 2, created: 0, updated: 1, unchanged: 1, offers: 1, offersUnchanged: 0 });
    expect(await k("products").count({ n: "*" }).first()).toEqual({ n: 2 });
    const listed = await listProductsWithOffers(k);
    expect(listed.find((p) => p.sku === "RICE-1KG")).toMatchObject({
      pricePaisa: 15500,
      aliases: ["chamal", "चामल"],
      offers: [
        { vendorCode: "V1", costPaisa: 13100, stock: 50, reserved: 0 },
        { vendorCode: "V2", costPaisa: 12800, stock: 5, reserved: 0 },
      ],
    });
  });

  it("touches nothing when a re-import changes nothing, and keepExisting only adds what is missing", async () => {
    const k = ctx.db.knex;
    const stamps = async () =>
      (await k("products as p")
        .leftJoin("vendor_products as vp", "vp.product_id", "p.id")
        .select("p.sku", "p.updated_at as product_at", "vp.updated_at as offer_at", "vp.stock", "p.price_paisa")
        .orderBy(["p.sku", "vp.vendor_id"])) as unknown[];
    const before = await stamps();
    const same = await importCatalog(k, rows(`${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,155,chamal|चामल,Rice,V1,131,50\nDAL-1KG,Toor Dal 1KG,kg,120,dal,,,,\n`));
    expect(same).toEqual({ products: 2, created: 0, updated: 0, unchanged: 2, offers: 0, offersUnchanged: 1 });
    expect(await stamps()).toEqual(before);

    const kept = await importCatalog(
      k,
      rows(`${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,999,chamal,Rice,V1,1,1\nRICE-1KG,Basmati Rice 1KG,kg,999,chamal,Rice,V2,1,1\nSALT-1KG,Salt,packet,25,nun,,V2,20,100\n`),
      { keepExisting: true },
    );
    expect(kept).toEqual({ products: 2, created: 1, updated: 0, unchanged: 1, offers: 1, offersUnchanged: 2 });
    expect(await stamps()).toEqual(expect.arrayContaining(before));
    expect((await listProductsWithOffers(k)).find((p) => p.sku === "SALT-1KG")).toMatchObject({ pricePaisa: 2500, offers: [{ vendorCode: "V2", stock: 100 }] });
  });

  it("stores one product when a file spells its SKU in two cases", async () => {
    const k = ctx.db.knex;
    const summary = await importCatalog(k, rows(`${HEADER}\nGHEE-1L,Ghee 1L,jar,1150,ghiu,,V1,1000,5\nghee-1l,Ghee 1L,jar,1150,ghiu,,V2,990,7\n`));
    expect(summary).toMatchObject({ products: 1, created: 1, offers: 2 });
    const ghee = (await listProductsWithOffers(k)).filter((p) => p.sku.toUpperCase() === "GHEE-1L");
    expect(ghee).toEqual([
      { sku: "GHEE-1L", name: "Ghee 1L", unit: "jar", pricePaisa: 115000, aliases: ["ghiu"], category: null, offers: [expect.objectContaining({ vendorCode: "V1" }), expect.objectContaining({ vendorCode: "V2" })] },
    ]);
  });

  it("fails the whole import on an unknown vendor, naming the line, and writes nothing", async () => {
    const k = ctx.db.knex;
    const before = await listProducts(k);
    await expect(importCatalog(k, rows(`${HEADER}\nNEW-1,New product,kg,10,,,V1,5,1\nNEW-2,Another,kg,10,,,V9,5,1\n`))).rejects.toThrow(
      /line 3: vendor V9 does not exist/,
    );
    expect(await listProducts(k)).toEqual(before);
  });

  it("loads the example catalog and offers", async () => {
    const k = ctx.db.knex;
    for (const [code, phone] of [
      ["V-BHERI", "+9779858012345"],
      ["V-KARNALI", "+9779848023456"],
      ["V-SURKHET", "+9779868034567"],
    ] as const) {
      await addVendor(k, { code, name: code, phone });
    }
    const catalog = rows(readFileSync(new URL("../examples/catalog.csv", import.meta.url), "utf8"));
    const offers = rows(readFileSync(new URL("../examples/offers.csv", import.meta.url), "utf8"));
    expect(catalog.length).toBeGreaterThanOrEqual(60);
    expect(catalog.some((r) => r.aliases.some((a) => /[\u0900-\u097F]/.test(a)))).toBe(true);
    const bySku = new Map(catalog.map((r) => [r.sku, r]));
    for (const offer of offers) {
      const product = bySku.get(offer.sku);
      expect(product, `offers.csv line ${offer.line}`).toBeDefined();
      expect({ ...offer, line: 0, offer: undefined }, `offers.csv line ${offer.line}`).toEqual({ ...product, line: 0, offer: undefined });
      expect(offer.offer?.costPaisa, `offers.csv line ${offer.line}: cost below price`).toBeLessThan(offer.pricePaisa);
    }
    const vendorsPerSku = new Map<string, number>();
    for (const offer of offers) vendorsPerSku.set(offer.sku, (vendorsPerSku.get(offer.sku) ?? 0) + 1);
    expect([...vendorsPerSku.values()].filter((n) => n >= 2).length).toBeGreaterThan(catalog.length / 2);
    const summary = await importCatalog(k, [...catalog, ...offers]);
    expect(summary.offers).toBe(offers.length);
    expect((await listProducts(k)).length).toBeGreaterThanOrEqual(catalog.length);
  });
});
