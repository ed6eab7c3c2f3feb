export { createBot } from "./bot.js";
export type { Bot, BotOptions, BotResult, InboundMessage } from "./bot.js";
