import type { Knex } from "knex";
import { type Executor, inTransaction } from "./transaction.js";

/** A claimed outbox row, with when its recipient last wrote to us (WhatsApp's 24-hour window). */
export interface OutboxMessage {
  id: number;
  toPhone: string;
  kind: string;
  body: string;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  /** Send attempts made before this one. */
  attempts: number;
  lastInboundAt: Date | null;
}

/** What goes to the provider: free text inside the window, an approved template outside it. */
export type OutboundMessage =
  | { kind: "text"; to: string; body: string }
  | { kind: "template"; to: string; contentSid: string; contentVariables: Record<string, string> };

/** Sends one message; resolves with the provider's message id. */
export interface OutboxSender {
  send(message: OutboundMessage): Promise<{ providerSid: string }>;
}

/**
 * A sending failure the sender has classified: `permanent` ones (a bad number, a rejected
 * template) fail the row at once; everything else thrown by a sender is retried with backoff.
 */
export class OutboxSendError extends Error {
  override readonly name = "OutboxSendError";
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** What one delivery run did. */
export interface OutboxDeliveryReport {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  /** Outside the 24-hour window with no template for their kind: left pending. */
  waitingForTemplate: number;
  problems: { id: number; toPhone: string; kind: string; error: string }[];
}

/** How one delivery run behaves; `now` is injected so tests control the clock. */
export interface OutboxDeliveryOptions {
  sender: OutboxSender;
  now: Date;
  /** Approved template ContentSid per outbox kind. */
  templates: Readonly<Record<string, string>>;
  /** Rows claimed per run. */
  limit?: number;
  /** Attempts after which a row is marked failed. */
  maxAttempts?: number;
  /** Messages sent at the same time. */
  concurrency?: number;
}

/** WhatsApp accepts free text only this long after the recipient's last inbound message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A row left in `sending` longer than this (a crashed run) is claimed again. */
export const OUTBOX_SENDING_LEASE_MS = 10 * 60 * 1000;
/** How long a message waiting for a template (or for the recipient to write) waits between checks. */
export const OUTBOX_TEMPLATE_RECHECK_MS = 15 * 60 * 1000;
/** Default number of attempts before a row is marked failed. */
export const OUTBOX_MAX_ATTEMPTS = 8;

/** Delay before retry number `attempt` (1-based): 1 min, 2, 4, ... capped at one hour. */
export function outboxRetryDelayMs(attempt: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 60 * 60_000);
}

// WhatsApp template variables may not contain newlines, tabs or runs of more than four spaces.
function templateVariable(text: string): string {
  const flat = text
    .replace(/\s*\n\s*/g, " · ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > 1000 ? `${flat.slice(0, 999)}…` : flat;
}

/**
 * Decides how a claimed row can go out at `now`: free text inside the 24-hour window, otherwise
 * the row's own template or the one configured for its kind; `undefined` when neither exists.
 */
export function planOutboundMessage(
  row: OutboxMessage,
  now: Date,
  templates: Readonly<Record<string, string>>,
): OutboundMessage | undefined {
  const insideWindow = row.lastInboundAt !== null && now.getTime() - row.lastInboundAt.getTime() < WHATSAPP_WINDOW_MS;
  if (insideWindow && row.contentSid === null) return { kind: "text", to: row.toPhone, body: row.body };
  const contentSid = row.contentSid ?? (Object.hasOwn(templates, row.kind) ? templates[row.kind] : undefined);
  if (contentSid === undefined) return undefined;
  return { kind: "template", to: row.toPhone, contentSid, contentVariables: row.contentVariables ?? { "1": templateVariable(row.body) } };
}

interface OutboxDbRow {
  id: number;
  to_phone: string;
  kind: string;
  body: string;
  content_sid: string | null;
  content_variables: Record<string, string> | null;
  attempts: number;
}

/**
 * Claims due rows (pending and due, or stuck in `sending` past the lease) by moving them to
 * `sending`, skipping rows another run holds, and returns them with their recipient's last
 * inbound time.
 */
export async function claimDueOutbox(knex: Knex, options: { now: Date; limit: number }): Promise<OutboxMessage[]> {
  const staleBefore = new Date(options.now.getTime() - OUTBOX_SENDING_LEASE_MS);
  const rows = await inTransaction(knex, async (trx) => {
    const result = await trx.raw<{ rows: OutboxDbRow[] }>(
      `update outbox set status = 'sending', updated_at = ?
        where id in (
          select id from outbox
           where (status = 'pending' and next_attempt_at <= ?) or (status = 'sending' and updated_at <= ?)
           order by next_attempt_at, id
           limit ?
           for update skip locked)
        returning id, to_phone, kind, body, content_sid, content_variables, attempts`,
      [options.now, options.now, staleBefore, options.limit],
    );
    return result.rows;
  });
  if (rows.length === 0) return [];
  const phones = [...new Set(rows.map((r) => r.to_phone))];
  // Anyone who writes in opens their window: a retailer (its conversation) as much as a vendor or
  // a stranger, whose messages are only in inbound_messages (newest first by its phone index).
  const windows = (
    await knex.raw<{ rows: { phone: string; last_inbound_at: Date | string | null }[] }>(
      `select p.phone,
              greatest((select c.last_inbound_at from conversations c where c.phone = p.phone),
                       (select max(i.received_at) from inbound_messages i where i.phone = p.phone)) as last_inbound_at
         from unnest(?::text[]) as p(phone)`,
      [phones],
    )
  ).rows;
  const lastInbound = new Map(windows.map((w) => [w.phone, w.last_inbound_at === null ? null : new Date(w.last_inbound_at)]));
  return rows
    .sort((a, b) => a.id - b.id)
    .map((r) => ({
      id: r.id,
      toPhone: r.to_phone,
      kind: r.kind,
      body: r.body,
      contentSid: r.content_sid,
      contentVariables: r.content_variables,
      attempts: r.attempts,
      lastInboundAt: lastInbound.get(r.to_phone) ?? null,
    }));
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One run of the outbox: claims due rows, sends each (free text inside the 24-hour window, a
 * template outside it), and records the outcome: `sent` with the provider's id; on a transient
 * failure back to `pending` with exponential backoff; `failed` after a permanent failure or
 * `maxAttempts`; no template for the kind -> stays `pending` with the reason in `last_error`.
 */
export async function deliverOutbox(knex: Knex, options: OutboxDeliveryOptions): Promise<OutboxDeliveryReport> {
  const { now, sender, templates } = options;
  const maxAttempts = options.maxAttempts ?? OUTBOX_MAX_ATTEMPTS;
  const claimed = await claimDueOutbox(knex, { now, limit: options.limit ?? 200 });
  const report: OutboxDeliveryReport = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0, waitingForTemplate: 0, problems: [] };

  const deliverOne = async (row: OutboxMessage): Promise<void> => {
    const message = planOutboundMessage(row, now, templates);
    if (message === undefined) {
      const error = `outside the 24-hour WhatsApp window of ${row.toPhone} and no template is configured for kind "${row.kind}" (set TWILIO_CONTENT_TEMPLATES); waiting`;
      await knex("outbox")
        .where({ id: row.id, status: "sending" })
        .update({ status: "pending", last_error: error, next_attempt_at: new Date(now.getTime() + OUTBOX_TEMPLATE_RECHECK_MS), updated_at: now });
      report.waitingForTemplate++;
      report.problems.push({ id: row.id, toPhone: row.toPhone, kind: row.kind, error });
      return;
    }
    const attempts = row.attempts + 1;
    try {
      const { providerSid } = await sender.send(message);
      await knex("outbox")
        .where({ id: row.id, status: "sending" })
        .update({
          status: "sent",
          provider_sid: providerSid,
          attempts,
          sent_at: now,
          last_error: null,
          updated_at: now,
          ...(message.kind === "template" ? { content_sid: message.contentSid, content_variables: JSON.stringify(message.contentVariables) } : {}),
        });
      report.sent++;
    } catch (error) {
      const reason = describeError(error);
      const permanent = error instanceof OutboxSendError && error.permanent;
      if (permanent || attempts >= maxAttempts) {
        await knex("outbox")
          .where({ id: row.id })
          .update({ status: "failed", attempts, last_error: permanent ? reason : `${reason} (gave up after ${attempts} attempts)`, updated_at: now });
        report.failed++;
      } else {
        await knex("outbox")
          .where({ id: row.id })
          .update({ status: "pending", attempts, last_error: reason, next_attempt_at: new Date(now.getTime() + outboxRetryDelayMs(attempts)), updated_at: now });
        report.retrying++;
      }
      report.problems.push({ id: row.id, toPhone: row.toPhone, kind: row.kind, error: reason });
    }
  };

  const queue = [...claimed];
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, queue.length)) }, async () => {
    for (let row = queue.shift(); row !== undefined; row = queue.shift()) await deliverOne(row);
  });
  await Promise.all(workers);
  return report;
}

/** Our outbox statuses a provider callback can move a row to. */
export type DeliveryStatus = "sent" | "delivered" | "read" | "failed" | "undelivered";

// Twilio's message statuses, mapped onto ours. Anything before "sent" is still "sent" for us: the
// provider has it.
const PROVIDER_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  accepted: "sent",
  scheduled: "sent",
  queued: "sent",
  sending: "sent",
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "failed",
  undelivered: "undelivered",
  canceled: "failed",
};

/** Maps a provider's status word onto ours; `undefined` for one that says nothing about delivery. */
export function deliveryStatusFromProvider(status: string): DeliveryStatus | undefined {
  return PROVIDER_STATUS[status.toLowerCase()];
}

// Callbacks arrive out of order: a row only ever moves up this ranking.
const RANK_SQL = `case status when 'read' then 4 when 'delivered' then 3 when 'failed' then 2 when 'undelivered' then 2 when 'sent' then 1 else 0 end`;
const RANK: Readonly<Record<DeliveryStatus, number>> = { sent: 1, failed: 2, undelivered: 2, delivered: 3, read: 4 };

/**
 * Records a delivery callback on the row with that provider id, monotonically: a late `sent`
 * never overwrites `delivered`. Returns whether it changed the row, was older news, or names no
 * row of ours.
 */
export async function recordDeliveryStatus(
  executor: Executor,
  update: { providerSid: string; status: DeliveryStatus; error?: string | undefined; now: Date },
): Promise<"updated" | "stale" | "unknown_sid"> {
  const result = await executor.raw<{ rows: { id: number }[] }>(
    `update outbox set status = ?, last_error = coalesce(?, last_error), updated_at = ?
      where provider_sid = ? and ${RANK_SQL} < ?
      returning id`,
    [update.status, update.error ?? null, update.now, update.providerSid, RANK[update.status]],
  );
  if (result.rows.length > 0) return "updated";
  const known = await executor("outbox").where({ provider_sid: update.providerSid }).first("id");
  return known ? "stale" : "unknown_sid";
}

/** Messages not yet handed to the provider (pending or being sent). */
export async function outboxBacklog(executor: Executor): Promise<number> {
  const row = (await executor("outbox").whereIn("status", ["pending", "sending"]).count({ n: "*" }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}
