import type { CommandContext } from "../context.js";
import { renderJson } from "../output.js";

/** What a command returns: the data for `--json`, and the text for people. */
export interface CommandResult {
  data: unknown;
  human: string;
}

/**
 * Wraps a command body: runs it, prints its result as text or as one JSON document. Errors are
 * left to the single top-level handler in `main`.
 */
export function action<Args extends unknown[]>(context: CommandContext, run: (...args: Args) => Promise<CommandResult>) {
  return async (...args: Args): Promise<void> => {
    const result = await run(...args);
    context.output.out(context.json ? renderJson(result.data) : result.human);
  };
}
