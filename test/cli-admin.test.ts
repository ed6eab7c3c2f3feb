import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempWorkspace } from "./support/cli.js";
import { createTestDatabase, hasServer } from "./support/databases.js";

const HEADER = "sku,name,unit,price,aliases,category,vendor,cost,stock";

describe("khaacho admin commands (embedded database)", () => {
  const ws = tempWorkspace();

  it("adds vendors and retailers from flags, and fails with usage when flags are missing and there is no terminal", async () => {
    expect((await runCli(["vendors", "add", "--code", "V1", "--name", "Bheri Wholesale", "--phone", "+9779858012345"], ws)).code).toBe(0);
    const added = await runCli(["retailers", "add", "--code", "R1", "--name", "Ram Kirana", "--phone", "9812345678", "--credit-limit", "50000", "--json"], ws);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ code: "R1", phone: "+9779812345678", creditLimitPaisa: 5_000_000 });
    const missing = await runCli(["retailers", "add", "--code", "R2"], ws);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing --name, --phone, --credit-limit/);
    const badPhone = await runCli(["retailers", "add", "--code", "R3", "--name", "X", "--phone", "+977 1 441", "--credit-limit", "1"], ws);
    expect(badPhone.code).toBe(2);
    expect(badPhone.err).toMatch(/phone/);
    const limit = await runCli(["retailers", "set-limit", "R1", "75,000", "--json"], ws);
    expect(JSON.parse(limit.out).creditLimitPaisa).toBe(7_500_000);
    expect((await runCli(["retailers", "show", "R9"], ws)).code).toBe(1);
  });

  it("imports a catalog, and a file with one bad row changes nothing and names the line", async () => {
    const good = join(ws.cwd, "good.csv");
    writeFileSync(good, `${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,150,chamal,Rice,V1,130,40\nDAL-1KG,Toor Dal 1KG,kg,120,dal,Dal,V1,100,40\n`);
    expect((await runCli(["products", "import", good], ws)).code).toBe(0);
    const before = await runCli(["products", "list", "--json"], ws);

    for (const [name, badRow, reason] of [
      ["missing-column", "SUGAR-1KG,Sugar,kg", /line 3: expected at least 5 columns/],
      ["bad-price", "SUGAR-1KG,Sugar,kg,abc,,,,,", /line 3: price "abc"/],
      ["negative-stock", "SUGAR-1KG,Sugar,kg,90,,,V1,80,-5", /line 3: stock -5 is negative/],
      ["duplicate", "RICE-1KG,Basmati Rice 1KG,kg,999,chamal,Rice,V1,120,10", /line 3: sku RICE-1KG is listed twice for vendor V1/],
    ] as const) {
      const file = join(ws.cwd, `${name}.csv`);
      writeFileSync(file, `${HEADER}\nRICE-1KG,Basmati Rice 1KG,kg,999,chamal,Rice,V1,130,40\n${badRow}\n`);
      const result = await runCli(["products", "import", file], ws);
      expect(result.code, name).toBe(1);
      expect(result.err, name).toMatch(reason);
      expect(result.err, name).toMatch(/nothing was imported/);
    }
    const after = await runCli(["products", "list", "--json"], ws);
    expect(JSON.parse(after.out)).toEqual(JSON.parse(before.out));
    expect(Object.keys(JSON.parse(after.out)[0]).sort()).toEqual(["aliases", "category", "name", "offers", "pricePaisa", "sku", "unit"]);
    expect(JSON.parse(after.out)).toEqual([
      expect.objectContaining({ sku: "DAL-1KG", pricePaisa: 12000, offers: [{ vendorCode: "V1", costPaisa: 10000, stock: 40, reserved: 0 }] }),
      expect.objectContaining({ sku: "RICE-1KG", name: "Basmati Rice 1KG", unit: "kg", pricePaisa: 15000, aliases: ["chamal"], category: "Rice" }),
    ]);
  });

  it("runs the demo twice on the same data directory", async () => {
    const demo = tempWorkspace();
    const first = await runCli(["demo"], demo);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain("retailer > jeera masino 25kg 2 bora");
    expect(first.out).toMatch(/added 3 vendor\(s\), 6 retailer\(s\), 8\d product\(s\)/);
    // The script goes through the WhatsApp bot: a clarification answered with a number, then CONFIRM.
    expect(first.out).toContain("khaacho  < ❓ Which coke 12?");
    const placed = /Order #(ORD\d{9,})\n\s*Status: PENDING\n\s*Total: Rs\.[\d.]+\n\s*Items: 5/.exec(first.out);
    expect(placed, first.out).not.toBeNull();
    expect(first.out).toContain("khaacho  < 💰 Your Credit");
    const second = await runCli(["demo", "--json"], demo);
    expect(second.code, second.err).toBe(0);
    const again = JSON.parse(second.out) as { migrationsApplied: string[]; seeded: object; transcript: string[] };
    expect(again).toMatchObject({ migrationsApplied: [], seeded: { retailersAdded: 0, vendorsAdded: 0, productsAdded: 0, offersAdded: 0 } });
    // Same day, same script: the bot answers the repeated message ids from its records, placing nothing new.
    expect(again.transcript.join("\n")).toContain(`Order #${placed?.[1]}`);
    expect(again.transcript.join("\n").trimEnd()).toBe(first.out.slice(first.out.indexOf("retailer > ")).trimEnd());
  });
});

describe.runIf(hasServer)("khaacho with DATABASE_URL (PostgreSQL server)", () => {
  it("migrates, imports the example catalog, lists it, and round-trips rollback then migrate", async () => {
    const { db, dispose } = await createTestDatabase("postgres");
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.pathname = `/${(await db.knex.raw("select current_database() as name")).rows[0].name}`;
    const ws = tempWorkspace();
    const server = { cwd: ws.cwd, env: { DATABASE_URL: url.toString() } };
    try {
      expect((await runCli(["db", "migrate"], server)).code).toBe(0);
      expect((await runCli(["seed"], server)).code).toBe(0);
      const listed = await runCli(["products", "list", "--json"], server);
      expect(JSON.parse(listed.out).length).toBeGreaterThanOrEqual(60);
      const reseed = await runCli(["seed", "--json"], server);
      expect(JSON.parse(reseed.out)).toMatchObject({ vendorsAdded: 0, retailersAdded: 0, productsAdded: 0, offersAdded: 0 });

      const bad = join(ws.cwd, "bad.csv");
      writeFileSync(bad, `${HEADER}\nRICE-JEERA-25KG,Jeera Masino Rice 25kg Bora,bag,1.00,,Rice,V-BHERI,1,1\nSALT-NEW,Salt,kg,abc,,,,,\nOIL-NEW,Oil,jar,100,,,V-BHERI,90,-1\n`);
      const refused = await runCli(["products", "import", bad], server);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/line 3: price "abc"/);
      expect(refused.err).toMatch(/line 4: stock -1 is negative/);
      const unknownVendor = join(ws.cwd, "unknown-vendor.csv");
      writeFileSync(unknownVendor, `${HEADER}\nRICE-JEERA-25KG,Jeera Masino Rice 25kg Bora,bag,1.00,,Rice,V-BHERI,1,1\nSALT-NEW,Salt,kg,20,,,V-NOPE,10,5\n`);
      const refusedVendor = await runCli(["products", "import", unknownVendor], server);
      expect(refusedVendor.code).toBe(1);
      expect(refusedVendor.err).toMatch(/line 3: vendor V-NOPE does not exist/);
      expect(JSON.parse((await runCli(["products", "list", "--json"], server)).out)).toEqual(JSON.parse(listed.out));
      const rollback = await runCli(["db", "rollback", "--json"], server);
      expect(rollback.code).toBe(0);
      expect(JSON.parse(rollback.out).rolledBack.length).toBeGreaterThan(0);
      const pending = await runCli(["products", "list"], server);
      expect(pending.code).toBe(1);
      expect(pending.err).toMatch(/pending migration\(s\); run: khaacho db migrate/);
      expect((await runCli(["db", "migrate"], server)).code).toBe(0);
      const status = await runCli(["db", "status", "--json"], server);
      expect(JSON.parse(status.out)).toMatchObject({ kind: "server", pending: [] });
    } finally {
      await dispose().catch(() => undefined);
    }
  });
});
