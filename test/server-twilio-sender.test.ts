// The outbox's Twilio sender, against a stand-in for Twilio's HTTP API: what it asks Twilio for,
// and which failures it gives up on.
import { OutboxSendError } from "@khaacho/db";
import { createTwilioSender } from "@khaacho/server";
import type twilio from "twilio";
import { describe, expect, it } from "vitest";

const ACCOUNT = "AC0123456789abcdef0123456789abcdef";

interface Sent {
  method: string;
  uri: string;
  data: Record<string, string>;
}

function fakeTwilio(answer: (call: number) => { statusCode: number; body: object }) {
  const requests: Sent[] = [];
  const httpClient = {
    async request(opts: { method: string; uri: string; data?: Record<string, string> }) {
      requests.push({ method: opts.method, uri: opts.uri, data: opts.data ?? {} });
      const { statusCode, body } = answer(requests.length);
      return { statusCode, body: JSON.stringify(body), headers: {} };
    },
  } as unknown as twilio.RequestClient;
  const sender = createTwilioSender({
    accountSid: ACCOUNT,
    authToken: "0123456789abcdef0123456789abcdef",
    from: "whatsapp:+14155238886",
    statusCallback: "https://khaacho.example/webhooks/twilio/status",
    httpClient,
  });
  return { sender, requests };
}

const created = (sid: string) => ({ statusCode: 201, body: { sid, account_sid: ACCOUNT, status: "queued" } });
const failed = (statusCode: number, code: number, message: string) => ({ statusCode, body: { status: statusCode, code, message } });

describe("Twilio sender", () => {
  it("sends free text from the WhatsApp number with the delivery callback, and returns Twilio's message id", async () => {
    const { sender, requests } = fakeTwilio(() => created("SMsent0001"));
    expect(await sender.send({ kind: "text", to: "+9779812345678", body: "Order ORD260210001 is on its way" })).toEqual({ providerSid: "SMsent0001" });
    expect(requests).toEqual([
      {
        method: "post",
        uri: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages.json`,
        data: expect.objectContaining({
          From: "whatsapp:+14155238886",
          To: "whatsapp:+9779812345678",
          Body: "Order ORD260210001 is on its way",
          StatusCallback: "https://khaacho.example/webhooks/twilio/status",
        }),
      },
    ]);
  });

  it("sends a template by its ContentSid with its variables", async () => {
    const { sender, requests } = fakeTwilio(() => created("SMsent0002"));
    await sender.send({ kind: "template", to: "+9779812345678", contentSid: "HX0123456789abcdef0123456789abcdef", contentVariables: { "1": "New order ORD260210002" } });
    expect(requests[0]?.data).toMatchObject({ ContentSid: "HX0123456789abcdef0123456789abcdef", ContentVariables: JSON.stringify({ "1": "New order ORD260210002" }) });
    expect(requests[0]?.data).not.toHaveProperty("Body");
  });

  it("gives up on Twilio's refusals (4xx) but retries rate limits and its own failures", async () => {
    const outcome = async (answer: { statusCode: number; body: object }) => {
      const { sender } = fakeTwilio(() => answer);
      return sender.send({ kind: "text", to: "+9779812345678", body: "hello" }).then(
        () => "sent",
        (error: unknown) => (error instanceof OutboxSendError ? { permanent: error.permanent, message: error.message } : error),
      );
    };
    expect(await outcome(failed(400, 21211, "The 'To' number is not a valid phone number."))).toEqual({
      permanent: true,
      message: "Twilio 400 (code 21211): The 'To' number is not a valid phone number.",
    });
    expect(await outcome(failed(429, 20429, "Too Many Requests"))).toMatchObject({ permanent: false });
    expect(await outcome(failed(503, 20503, "Service Unavailable"))).toMatchObject({ permanent: false });
  });
});
