import { resolve } from "node:path";
import { input } from "@inquirer/prompts";
import { createBot } from "@khaacho/bot";
import type { Bot } from "@khaacho/bot";
import { normalizePhone } from "@khaacho/core";
import type { Database } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { action } from "./action.js";
import { readChatScript } from "./demo.js";

const RETAILER = "retailer > ";
const KHAACHO = "khaacho  < ";
const INDENT = " ".repeat(RETAILER.length);

// Continuation lines are indented under the first, so a multi-line message reads as one.
const show = (prefix: string, text: string): string[] => text.split("\n").map((line, i) => `${i === 0 ? prefix : INDENT}${line}`.trimEnd());

/**
 * One side of a terminal conversation: sends messages as `phone` through the real bot, with ids
 * `<idPrefix>-<n>` (default `chat-<phone>-<timestamp>`, so every session is new).
 */
export function terminalSession(bot: Bot, phone: string, idPrefix = `chat-${phone}-${Date.now()}`) {
  let n = 0;
  return async (body: string): Promise<string[]> => {
    n += 1;
    const result = await bot.handle({ messageSid: `${idPrefix}-${n}`, phone, body, numMedia: 0, receivedAt: new Date() });
    return result.replies;
  };
}

/**
 * Plays a chat script through the WhatsApp bot on `db` and returns the transcript lines. Messages
 * whose id (`idPrefix`) was handled before get the replies stored then, as a WhatsApp retry would.
 */
export async function playThroughBot(context: CommandContext, db: Database, phone: string, messages: readonly string[], idPrefix?: string): Promise<string[]> {
  const send = terminalSession(createBot({ knex: db.knex, config: context.config() }), phone, idPrefix);
  const transcript: string[] = [];
  for (const message of messages) {
    transcript.push(...show(RETAILER, message));
    for (const reply of await send(message)) transcript.push(...show(KHAACHO, reply));
    transcript.push("");
  }
  return transcript;
}

/**
 * Asks for messages in the terminal and shows the bot's replies as they come, until an empty line,
 * Ctrl-D or "exit". Returns the transcript.
 */
export async function chatInteractively(
  context: CommandContext,
  send: (body: string) => Promise<string[]>,
  // The prompt goes to stderr so that `--json` still prints exactly one document on stdout.
  streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } = { input: context.stdin, output: process.stderr },
): Promise<string[]> {
  const lines: string[] = [];
  // The end of the input (Ctrl-D, a closed pipe) ends the session even between prompts.
  const ended = new AbortController();
  const end = () => ended.abort();
  streams.input.once("end", end).once("close", end);
  try {
    for (;;) {
      if (ended.signal.aborted) break;
      let message: string;
      try {
        message = await input({ message: RETAILER.trim() }, { ...streams, signal: ended.signal });
      } catch (error) {
        if (isPromptEnd(error)) break;
        throw error;
      }
      const text = message.replace(/\\n/g, "\n");
      if (text.trim() === "" || text.trim().toLowerCase() === "exit") break;
      lines.push(...show(RETAILER, text));
      for (const reply of await send(text)) {
        const shown = show(KHAACHO, reply);
        lines.push(...shown);
        if (!context.json) context.output.out(shown.join("\n"));
      }
    }
  } finally {
    streams.input.off("end", end).off("close", end);
  }
  return lines;
}

function isPromptEnd(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === "ExitPromptError" || name === "AbortPromptError";
}

/** `khaacho chat`: the retailer's WhatsApp conversation in the terminal, or a scripted one. */
export function chatCommand(context: CommandContext): Command {
  return new Command("chat")
    .description("talk to the WhatsApp bot as a retailer, in the terminal (or play a script with --script)")
    .requiredOption("--phone <PHONE>", "the retailer's WhatsApp number, e.g. +9779812345678")
    .option("--script <FILE>", "play one message per line (the two characters \\n inside a line are a line break) and print the transcript")
    .addHelpText(
      "after",
      `
Messages go through the real bot and database: CONFIRM places a real order. An unregistered number
gets what a stranger would. Interactive sessions end on an empty line, Ctrl-D or "exit".`,
    )
    .action(
      action(context, async (options: { phone: string; script?: string }) => {
        const phone = normalizePhone(options.phone);
        if (!phone.ok) throw new UsageError(`--phone: ${phone.reason}`);
        if (options.script !== undefined) {
          const messages = readChatScript(resolve(context.cwd, options.script));
          const transcript = await context.withDatabase((db) => playThroughBot(context, db, phone.phone, messages));
          return { data: { phone: phone.phone, transcript }, human: transcript.join("\n") };
        }
        if (!context.interactive) throw new UsageError("khaacho chat needs a terminal, or --script FILE");
        context.output.err(`Chatting as ${phone.phone}. An empty line, Ctrl-D or "exit" ends the session.`);
        const transcript = await context.withDatabase((db) =>
          chatInteractively(context, terminalSession(createBot({ knex: db.knex, config: context.config() }), phone.phone)),
        );
        return { data: { phone: phone.phone, transcript }, human: "Session ended." };
      }),
    );
}
