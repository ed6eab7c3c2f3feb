// seedExample is not part of the CLI's public API; the test reaches into the command module to point
// it at a copy of examples/ with one broken file.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { expect, it } from "vitest";
import { createContext } from "../packages/cli/src/context.js";
import { EXAMPLES_DIR, seedExample } from "../packages/cli/src/commands/seed.js";
import { describeEachDatabase } from "./support/databases.js";

const context = createContext({ cwd: tmpdir(), env: {}, output: { out: () => undefined, err: () => undefined }, stdin: Readable.from([]), interactive: false });

async function counts(knex: import("knex").Knex) {
  const out: Record<string, number> = {};
  for (const table of ["vendors", "retailers", "products", "vendor_products"]) {
    out[table] = Number(((await knex(table).count({ n: "*" }).first()) as { n: number | string }).n);
  }
  return out;
}

describeEachDatabase("seeding the examples", (ctx) => {
  it("writes nothing when one example row is bad, and names the file and line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "khaacho-examples-"));
    cpSync(EXAMPLES_DIR, dir, { recursive: true });
    const retailers = readFileSync(join(dir, "retailers.csv"), "utf8").trimEnd().split("\n");
    writeFileSync(join(dir, "retailers.csv"), [...retailers, "R-BAD,Bad Phone Pasal,+977 1 4412345,1000,Birendranagar,en"].join("\n"));
    await expect(seedExample(context, ctx.db, "surkhet", dir)).rejects.toThrow(`retailers.csv line ${retailers.length + 1}: phone`);
    expect(await counts(ctx.db.knex)).toEqual({ vendors: 0, retailers: 0, products: 0, vendor_products: 0 });
  });

  it("loads everything once; a second run adds nothing and changes nothing", async () => {
    const first = await seedExample(context, ctx.db, "surkhet");
    expect(first).toMatchObject({ vendorsAdded: 3, retailersAdded: 6, productsKept: 0, offersKept: 0 });
    expect(first.productsAdded).toBeGreaterThanOrEqual(60);
    const after = await counts(ctx.db.knex);
    expect(after).toEqual({ vendors: 3, retailers: 6, products: first.productsAdded, vendor_products: first.offersAdded });
    await ctx.db.knex("vendor_products").update({ stock: 1 });
    const changedStock = await ctx.db.knex("vendor_products").select("*").orderBy("id");

    const second = await seedExample(context, ctx.db, "surkhet");
    expect(second).toEqual({ ...first, vendorsAdded: 0, retailersAdded: 0, productsAdded: 0, offersAdded: 0, productsKept: first.productsAdded, offersKept: first.offersAdded });
    expect(await counts(ctx.db.knex)).toEqual(after);
    // Stock sold since the first seed is not reset.
    expect(await ctx.db.knex("vendor_products").select("*").orderBy("id")).toEqual(changedStock);
  });
});
