import { input } from "@inquirer/prompts";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";

/** A required value: its flag, a question for people, and an optional check. */
export interface RequiredField {
  key: string;
  flag: string;
  question: string;
  validate?: (value: string) => string | true;
}

/**
 * Fills required options that were not given: asks for them in a terminal, and otherwise fails with
 * a usage error that lists every missing flag.
 */
export async function fillMissing(
  context: CommandContext,
  options: Record<string, string | undefined>,
  fields: readonly RequiredField[],
  usage: string,
  // Questions go to stderr so that `--json` still prints exactly one document on stdout.
  streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } = { input: context.stdin, output: process.stderr },
) {
  const missing = fields.filter((f) => !options[f.key]?.trim());
  if (missing.length === 0) return options as Record<string, string>;
  if (!context.interactive) {
    throw new UsageError(`missing ${missing.map((f) => f.flag).join(", ")}\nusage: ${usage}`);
  }
  const filled = { ...options };
  for (const field of missing) {
    filled[field.key] = await input({ message: field.question, required: true, ...(field.validate ? { validate: field.validate } : {}) }, streams);
  }
  return filled as Record<string, string>;
}
