// Runs the khaacho command line in-process, as a person or a cron job would, against a temp folder.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main } from "@khaacho/cli";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** A temp working folder with its own embedded data directory. */
export function tempWorkspace(): { cwd: string; env: Record<string, string> } {
  const cwd = mkdtempSync(join(tmpdir(), "khaacho-cli-"));
  return { cwd, env: { KHAACHO_DATA_DIR: join(cwd, "data") } };
}

/** Runs `khaacho ...argv` and captures its output and exit code. */
export async function runCli(argv: string[], workspace: { cwd: string; env: Record<string, string> }): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "khaacho", ...argv], {
    cwd: workspace.cwd,
    env: workspace.env,
    output: { out: (t) => out.push(t), err: (t) => err.push(t) },
    stdin: Readable.from([]),
    interactive: false,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
