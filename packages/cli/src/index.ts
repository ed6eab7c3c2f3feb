import { DomainError } from "@khaacho/core";
import { type Command, CommanderError } from "commander";
import { createContext, loadEnv } from "./context.js";
import { CommandFailure, exitCodeFor, UsageError } from "./errors.js";
import { type Output, processOutput, renderJson } from "./output.js";
import { buildProgram } from "./program.js";

export { CommandFailure, exitCodeFor, UsageError } from "./errors.js";
export type { Output } from "./output.js";
export { buildProgram, VERSION } from "./program.js";

/** What `main` may be given instead of the real process (tests). */
export interface MainDeps {
  cwd: string;
  env: Record<string, string | undefined>;
  output: Output;
  stdin: NodeJS.ReadableStream;
  interactive: boolean;
}

/**
 * Runs the `khaacho` command line and returns the exit code: 0 success, 1 failure, 2 bad usage.
 * Commands never exit the process themselves; this is the one place errors become exit codes.
 */
export async function main(argv: readonly string[], deps: Partial<MainDeps> = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  const cwd = deps.cwd ?? process.cwd();
  const context = createContext({
    cwd,
    env: loadEnv(cwd, deps.env ?? process.env),
    output,
    stdin: deps.stdin ?? process.stdin,
    interactive: deps.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY),
    json: argv.includes("--json"),
  });
  const program = buildProgram(context);
  // Commander must never exit the process itself, at any depth: errors come back here as values.
  const configure = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);

  try {
    await program.parseAsync([...argv], { from: "node" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is bad usage.
      return error.exitCode === 0 ? 0 : 2;
    }
    const code = exitCodeFor(error);
    if (context.json) {
      output.out(renderJson({ error: describe(error) }));
    } else if (error instanceof DomainError || error instanceof CommandFailure || error instanceof UsageError) {
      output.err(`error: ${error.message}`);
    } else {
      output.err(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    }
    return code;
  }
}

function describe(error: unknown): { code: string; message: string; details?: Record<string, unknown> } {
  if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof UsageError) return { code: "usage", message: error.message };
  if (error instanceof CommandFailure) return { code: "failed", message: error.message, details: error.details };
  return { code: "unexpected", message: (error as Error)?.message ?? String(error) };
}
