import { describe, expect, it } from "vitest";
import { parseCatalogCsv } from "./catalog-csv.js";

const HEADER = "sku,name,unit,price,aliases,category,vendor,cost,stock";

function errors(text: string) {
  const result = parseCatalogCsv(text);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

describe("parseCatalogCsv", () => {
  it("reads products, aliases and vendor offers", () => {
    const result = parseCatalogCsv(
      `${HEADER}\nRICE-1KG,Basmati Rice 1KG,KG,150,chamal|चामल|chamal,Grains,V1,120.50,40\nRICE-1KG,Basmati Rice 1KG,KG,150,chamal|चामल,Grains,V2,118,10\n"DAL-1KG","Toor Dal, 1KG",kg,120.00,,,,,\n`,
    );
    expect(result).toEqual({
      ok: true,
      rows: [
        { line: 2, sku: "RICE-1KG", name: "Basmati Rice 1KG", unit: "kg", pricePaisa: 15000, aliases: ["chamal", "चामल"], category: "Grains", offer: { vendorCode: "V1", costPaisa: 12050, stock: 40 } },
        { line: 3, sku: "RICE-1KG", name: "Basmati Rice 1KG", unit: "kg", pricePaisa: 15000, aliases: ["chamal", "चामल"], category: "Grains", offer: { vendorCode: "V2", costPaisa: 11800, stock: 10 } },
        { line: 4, sku: "DAL-1KG", name: "Toor Dal, 1KG", unit: "kg", pricePaisa: 12000, aliases: [], category: undefined, offer: undefined },
      ],
    });
  });

  it("accepts the minimal contract header and a BOM", () => {
    const result = parseCatalogCsv("\uFEFFsku,name,unit,price,aliases\nSALT-1KG,Salt 1kg,packet,25,nun\n");
    expect(result.ok).toBe(true);
  });

  it("reports every bad line with its number and reason", () => {
    const found = errors(
      [
        HEADER,
        "OK-1,Fine,kg,10,,,,,",
        "SHORT,Missing columns,kg",
        "BADPRICE,Price,kg,abc,,,,,",
        "NEG,Negative,kg,10,,,V1,5,-3",
        "DUP,Dup,kg,10,,,V1,5,3",
        "DUP,Dup,kg,10,,,V1,5,4",
        "HALF,Half offer,kg,10,,,V1,,",
        "OK-1,Fine again,kg,10,,,,,",
      ].join("\n"),
    );
    expect(found.map((e) => e.line)).toEqual([3, 4, 5, 7, 8, 9]);
    expect(found[0]?.message).toMatch(/at least 5 columns/);
    expect(found[1]?.message).toMatch(/price "abc"/);
    expect(found[2]?.message).toMatch(/stock -3 is negative/);
    expect(found[3]?.message).toMatch(/twice for vendor V1 \(also on line 6\)/);
    expect(found[4]?.message).toMatch(/together/);
    expect(found[5]?.message).toMatch(/already appears on line 2/);
  });

  it("rejects a wrong header, an empty file and broken quoting", () => {
    expect(errors("name,sku,unit,price,aliases\n")[0]?.message).toMatch(/header must begin/);
    expect(errors("")[0]?.message).toMatch(/empty/);
    expect(errors("sku,name,unit,price,aliases\n")[0]?.message).toMatch(/no products/);
    expect(errors('sku,name,unit,price,aliases\nA,"unclosed,kg,1,\n')[0]?.message).toMatch(/not valid CSV/);
  });
});
