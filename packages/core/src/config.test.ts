import { describe, expect, it } from "vitest";
import { parseConfig, requireConfig } from "./config.js";
import { DomainError } from "./errors.js";

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("parseConfig", () => {
  it("has the documented defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      dataDir: "./.khaacho",
      port: 3000,
      vatRateBasisPoints: 1300,
      businessTimeZone: "Asia/Kathmandu",
      draftTtlMinutes: 30,
    });
  });

  it("reads valid values", () => {
    const config = parseConfig({
      DATABASE_URL: "postgres://u:p@db:5432/khaacho",
      VAT_RATE: "13.5",
      PORT: "8080",
      PUBLIC_BASE_URL: "https://khaacho.example.com/",
      JWT_SECRET: "x".repeat(32),
      TWILIO_WHATSAPP_NUMBER: "whatsapp:+14155238886",
    });
    expect(config.vatRateBasisPoints).toBe(1350);
    expect(config.port).toBe(8080);
    expect(config.publicBaseUrl).toBe("https://khaacho.example.com");
  });

  it.each([
    ["DATABASE_URL", "mysql://x"],
    ["VAT_RATE", "thirteen"],
    ["VAT_RATE", "100"],
    ["PORT", "0"],
    ["PORT", "80a"],
    ["JWT_SECRET", "short"],
    ["TZ_BUSINESS", "Mars/Olympus"],
    ["PUBLIC_BASE_URL", "khaacho.example.com"],
    ["TWILIO_WHATSAPP_NUMBER", "+14155238886"],
    ["TWILIO_ACCOUNT_SID", "AC123"],
    ["KHAACHO_DRAFT_TTL_MINUTES", "-1"],
    ["LOG_LEVEL", "loud"],
  ])("names %s when it is invalid (%s)", (variable, value) => {
    const error = errorOf(() => parseConfig({ [variable]: value }));
    expect(error.code).toBe("invalid_config");
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.details).toEqual({ variable });
  });

  it("names the first missing variable a command needs", () => {
    const error = errorOf(() =>
      requireConfig(parseConfig({ JWT_SECRET: "y".repeat(40) }), { jwtSecret: "JWT_SECRET", publicBaseUrl: "PUBLIC_BASE_URL" }, "khaacho serve"),
    );
    expect(error.message).toBe("PUBLIC_BASE_URL is required by khaacho serve but is not set");
  });
});
