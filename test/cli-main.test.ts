import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main } from "@khaacho/cli";
import { describe, expect, it } from "vitest";

async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), "khaacho-cli-"));
  const code = await main(["node", "khaacho", ...argv], {
    cwd,
    env: { KHAACHO_DATA_DIR: join(cwd, "data"), ...env },
    output: { out: (t) => out.push(t), err: (t) => err.push(t) },
    stdin: Readable.from([]),
    interactive: false,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("khaacho main", () => {
  it("prints help and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("Usage: khaacho");
  });

  it("exits 2 on bad usage at any depth, without exiting the process", async () => {
    expect((await run(["no-such-command"])).code).toBe(2);
    const nested = await run(["db", "migrate", "--no-such-flag"]);
    expect(nested.code).toBe(2);
    expect(nested.err).toMatch(/unknown option '--no-such-flag'/);
  });

  it("exits 1 naming the variable when configuration is invalid, as JSON with --json", async () => {
    const human = await run(["db", "status"], { VAT_RATE: "abc" });
    expect(human.code).toBe(1);
    expect(human.err).toMatch(/^error: VAT_RATE must be a percentage/);
    const json = await run(["db", "status", "--json"], { VAT_RATE: "abc" });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: "invalid_config", details: { variable: "VAT_RATE" } } });
  });

  it("migrates the embedded database and reports its status as one JSON document", async () => {
    const migrate = await run(["db", "migrate", "--json"]);
    expect(migrate.code).toBe(0);
    expect(JSON.parse(migrate.out).applied.length).toBeGreaterThan(0);
  });
});
