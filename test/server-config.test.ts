import { DomainError, parseConfig } from "@khaacho/core";
import { describe, expect, it } from "vitest";

describe("server configuration", () => {
  it("has defaults for the spool, the rate limit and no templates", () => {
    const config = parseConfig({});
    expect(config.spoolDir).toBe("./.khaacho-spool");
    expect(config.webhookRateLimitPerMinute).toBe(30);
    expect(config.twilioContentTemplates).toEqual({});
  });

  it("reads templates per outbox kind", () => {
    const config = parseConfig({
      TWILIO_CONTENT_TEMPLATES: " order.vendor_new=HX0123456789abcdef0123456789abcdef , order.status=HXfedcba9876543210fedcba9876543210",
      KHAACHO_WEBHOOK_RATE_LIMIT: "60",
      KHAACHO_SPOOL_DIR: "/var/lib/khaacho/spool",
    });
    expect(config.twilioContentTemplates).toEqual({ "order.vendor_new": "HX0123456789abcdef0123456789abcdef", "order.status": "HXfedcba9876543210fedcba9876543210" });
    expect(config.webhookRateLimitPerMinute).toBe(60);
    expect(config.spoolDir).toBe("/var/lib/khaacho/spool");
  });

  it.each([
    ["TWILIO_CONTENT_TEMPLATES", "order.status"],
    ["TWILIO_CONTENT_TEMPLATES", "order.status=HX123"],
    ["TWILIO_CONTENT_TEMPLATES", "Order=HX0123456789abcdef0123456789abcdef"],
    ["KHAACHO_WEBHOOK_RATE_LIMIT", "0"],
    ["KHAACHO_WEBHOOK_RATE_LIMIT", "lots"],
  ])("names %s when it is invalid (%s)", (variable, value) => {
    let error: unknown;
    try {
      parseConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message.startsWith(variable)).toBe(true);
  });
});
