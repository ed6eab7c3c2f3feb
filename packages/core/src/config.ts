import { isTimeZone } from "./business-time.js";
import { DomainError } from "./errors.js";

/** Validated configuration. Secrets stay undefined until a command that needs them checks them. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  twilioAccountSid: string | undefined;
  twilioAuthToken: string | undefined;
  twilioWhatsappNumber: string | undefined;
  publicBaseUrl: string | undefined;
  jwtSecret: string | undefined;
  port: number;
  /** VAT in basis points: 1300 = 13%. */
  vatRateBasisPoints: number;
  businessTimeZone: string;
  /** A draft order older than this many minutes is dropped on the next message. */
  draftTtlMinutes: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Approved WhatsApp templates by outbox kind (kind -> ContentSid), for messages outside the 24-hour window. */
  twilioContentTemplates: Readonly<Record<string, string>>;
  /** Where the webhook keeps inbound messages it could not store while the database was unreachable. */
  spoolDir: string;
  /** Inbound WhatsApp messages processed per sender per minute; more get a slow-down reply. */
  webhookRateLimitPerMinute: number;
}

/** Environment as a plain record (`process.env` fits). */
export type Env = Record<string, string | undefined>;

function bad(variable: string, why: string, value?: string): never {
  throw new DomainError("invalid_config", `${variable} ${why}${value === undefined ? "" : ` (got "${value}")`}`, {
    variable,
  });
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integerIn(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) bad(name, `must be a whole number from ${min} to ${max}`, raw);
  return Number(raw);
}

// `order.vendor_new=HX0123...,order.status=HX4567...`: one approved Content template per outbox kind.
function contentTemplates(env: Env): Record<string, string> {
  const raw = optional(env, "TWILIO_CONTENT_TEMPLATES");
  const templates: Record<string, string> = {};
  if (raw === undefined) return templates;
  for (const pair of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z][a-z0-9_.-]*)=(HX[0-9a-fA-F]{32})$/.exec(pair);
    if (!match) bad("TWILIO_CONTENT_TEMPLATES", "must be comma-separated kind=ContentSid pairs such as order.status=HX followed by 32 hexadecimal characters", pair);
    templates[match[1]!] = match[2]!;
  }
  return templates;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Reads and validates configuration from an environment record. Throws an `invalid_config`
 * DomainError whose message names the bad variable.
 * @example parseConfig({ VAT_RATE: "13" }).vatRateBasisPoints // 1300
 */
export function parseConfig(env: Env): Config {
  const databaseUrl = optional(env, "DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    bad("DATABASE_URL", "must start with postgres:// or postgresql://", databaseUrl);
  }
  const publicBaseUrl = optional(env, "PUBLIC_BASE_URL");
  if (publicBaseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(publicBaseUrl)) {
    bad("PUBLIC_BASE_URL", "must be an http(s) URL such as https://khaacho.example.com", publicBaseUrl);
  }
  const whatsapp = optional(env, "TWILIO_WHATSAPP_NUMBER");
  if (whatsapp !== undefined && !/^whatsapp:\+[1-9]\d{6,14}$/.test(whatsapp)) {
    bad("TWILIO_WHATSAPP_NUMBER", "must look like whatsapp:+14155238886", whatsapp);
  }
  const accountSid = optional(env, "TWILIO_ACCOUNT_SID");
  if (accountSid !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    bad("TWILIO_ACCOUNT_SID", "must be AC followed by 32 hexadecimal characters", accountSid);
  }
  const jwtSecret = optional(env, "JWT_SECRET");
  if (jwtSecret !== undefined && jwtSecret.length < 32) bad("JWT_SECRET", `must be at least 32 characters (it has ${jwtSecret.length})`);

  const vatRaw = optional(env, "VAT_RATE");
  let vatRateBasisPoints = 1300;
  if (vatRaw !== undefined) {
    const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(vatRaw);
    if (!match) bad("VAT_RATE", "must be a percentage from 0 to 99.99, like 13", vatRaw);
    vatRateBasisPoints = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  }
  const businessTimeZone = optional(env, "TZ_BUSINESS") ?? "Asia/Kathmandu";
  if (!isTimeZone(businessTimeZone)) bad("TZ_BUSINESS", "must be an IANA time zone such as Asia/Kathmandu", businessTimeZone);

  const logLevel = optional(env, "LOG_LEVEL") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) bad("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}`, logLevel);

  return {
    databaseUrl,
    dataDir: optional(env, "KHAACHO_DATA_DIR") ?? "./.khaacho",
    twilioAccountSid: accountSid,
    twilioAuthToken: optional(env, "TWILIO_AUTH_TOKEN"),
    twilioWhatsappNumber: whatsapp,
    publicBaseUrl: publicBaseUrl?.replace(/\/+$/, ""),
    jwtSecret,
    port: integerIn(env, "PORT", 3000, 1, 65535),
    vatRateBasisPoints,
    businessTimeZone,
    draftTtlMinutes: integerIn(env, "KHAACHO_DRAFT_TTL_MINUTES", 30, 1, 7 * 24 * 60),
    logLevel: logLevel as Config["logLevel"],
    twilioContentTemplates: contentTemplates(env),
    spoolDir: optional(env, "KHAACHO_SPOOL_DIR") ?? "./.khaacho-spool",
    webhookRateLimitPerMinute: integerIn(env, "KHAACHO_WEBHOOK_RATE_LIMIT", 30, 1, 100_000),
  };
}

/** The subset of Config that must be present, by variable name. Throws naming the first one missing. */
export function requireConfig<K extends keyof Config>(
  config: Config,
  needs: Partial<Record<K, string>>,
  purpose: string,
): { [P in K]-?: NonNullable<Config[P]> } & Config {
  for (const [key, variable] of Object.entries(needs) as [K, string][]) {
    if (config[key] === undefined) bad(variable, `is required by ${purpose} but is not set`);
  }
  return config as { [P in K]-?: NonNullable<Config[P]> } & Config;
}
