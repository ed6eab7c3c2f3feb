import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { InboundWhatsAppMessage } from "./bot.js";

/** A spooled message and how many times processing it has failed for reasons other than an outage. */
export interface SpooledMessage {
  message: InboundWhatsAppMessage;
  failures: number;
  lastError?: string;
}

/**
 * Inbound messages the webhook answered but could not process (the database was unreachable or
 * processing failed). One JSON file per MessageSid, written atomically (temp file, fsync,
 * rename), so an acknowledged message survives a crash. Twilio does not redeliver a message we
 * answered with 200, so this is what makes "nothing is lost" true.
 */
export class InboundSpool {
  private readonly phones = new Map<string, number>();

  constructor(readonly dir: string) {
    mkdirSync(join(dir, "dead"), { recursive: true });
    for (const entry of this.readAll()) this.count(entry.message.phone, 1);
  }

  /** How many messages wait. */
  get size(): number {
    let total = 0;
    for (const n of this.phones.values()) total += n;
    return total;
  }

  /** True when this phone has messages waiting, so newer ones must wait behind them to keep order. */
  has(phone: string): boolean {
    return (this.phones.get(phone) ?? 0) > 0;
  }

  /** Keeps a message (again, with an updated failure count, when it already is here). */
  async put(entry: SpooledMessage): Promise<void> {
    const file = this.file(entry.message.messageSid);
    const existed = await readFile(file).then(
      () => true,
      () => false,
    );
    await this.writeAtomically(file, JSON.stringify({ ...entry, message: { ...entry.message, receivedAt: entry.message.receivedAt.toISOString() } }));
    if (!existed) this.count(entry.message.phone, 1);
  }

  /** Waiting messages, oldest first. */
  list(): SpooledMessage[] {
    return this.readAll().sort((a, b) => a.message.receivedAt.getTime() - b.message.receivedAt.getTime());
  }

  /** Forgets a processed message. */
  async remove(entry: SpooledMessage): Promise<void> {
    await unlink(this.file(entry.message.messageSid)).catch(() => undefined);
    this.count(entry.message.phone, -1);
  }

  /** Moves a message that keeps failing aside (to `dead/`) for a person to look at. */
  async bury(entry: SpooledMessage): Promise<void> {
    await mkdir(join(this.dir, "dead"), { recursive: true });
    await rename(this.file(entry.message.messageSid), join(this.dir, "dead", this.name(entry.message.messageSid)));
    this.count(entry.message.phone, -1);
  }

  private count(phone: string, delta: number): void {
    const n = (this.phones.get(phone) ?? 0) + delta;
    if (n > 0) this.phones.set(phone, n);
    else this.phones.delete(phone);
  }

  private name(messageSid: string): string {
    return `${messageSid.replace(/[^A-Za-z0-9_-]/g, "_")}.json`;
  }

  private file(messageSid: string): string {
    return join(this.dir, this.name(messageSid));
  }

  private readAll(): SpooledMessage[] {
    const entries: SpooledMessage[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(".json")) continue;
      const raw = JSON.parse(readFileSync(join(this.dir, name), "utf8")) as SpooledMessage & { message: { receivedAt: string } };
      entries.push({ ...raw, message: { ...raw.message, receivedAt: new Date(raw.message.receivedAt) } });
    }
    return entries;
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  }
}
