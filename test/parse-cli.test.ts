import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main } from "@khaacho/cli";
import { describe, expect, it } from "vitest";

const CATALOG = "sku,name,unit,price,aliases\nSUGAR-KG,Sugar (per kg),kg,112,chini|चिनी\nCOKE-500,Coca-Cola 500ml Bottle,bottle,70,coke\nCOKE-250,Coca-Cola 250ml Bottle,bottle,40,coke\n";

async function run(argv: string[], stdin: string, catalog = CATALOG) {
  const dir = mkdtempSync(join(tmpdir(), "khaacho-parse-"));
  writeFileSync(join(dir, "catalog.csv"), catalog);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "khaacho", ...argv], {
    cwd: dir,
    env: { KHAACHO_DATA_DIR: join(dir, "data") },
    output: { out: (t) => out.push(t), err: (t) => err.push(t) },
    stdin: Readable.from([stdin]),
    interactive: false,
  });
  return { code, out, err };
}

describe("khaacho parse", () => {
  it("writes one contract line per JSON input line, and an error line for a malformed one", async () => {
    const input = ['{"id":"1","text":"chini 10 kg"}', "not json", '{"id":"3","text":"coke 5"}', '{"id":4}', '{"id":"5","text":"CONFIRM"}'].join("\n");
    const { code, out } = await run(["parse", "--catalog", "catalog.csv", "--jsonl"], input);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toEqual({ id: "1", intent: "order", items: [{ sku: "SUGAR-KG", quantity: 10 }], unresolved: [] });
    expect(lines[1]).toMatchObject({ id: null, line: 2 });
    expect(String(lines[1]?.error)).toMatch(/not valid JSON/);
    expect(lines[2]).toMatchObject({ id: "3", intent: "order", items: [], unresolved: [{ text: "coke 5" }] });
    expect(lines[3]).toMatchObject({ id: "4", line: 4 });
    expect(lines[4]).toEqual({ id: "5", intent: "confirm", items: [], unresolved: [] });
  });

  it("explains one message for a person", async () => {
    const { code, out } = await run(["parse", "--catalog", "catalog.csv", "--text", "chini 10 kg, coke 5, pepsi 2"], "");
    expect(code).toBe(0);
    const text = out.join("\n");
    expect(text).toMatch(/SUGAR-KG .* x 10/);
    expect(text).toMatch(/confidence/);
    expect(text).toMatch(/"coke 5": several products fit equally/);
    expect(text).toMatch(/"pepsi 2": no product in the catalog fits/);
  });

  it("fails with the line numbers of bad catalog rows", async () => {
    const bad = "sku,name,unit,price,aliases\nOK-1,Good,kg,10,\nBAD 2,Bad,kg,abc,\n";
    const { code, err } = await run(["parse", "--catalog", "catalog.csv", "--jsonl"], "", bad);
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/line 3/);
  });
});
