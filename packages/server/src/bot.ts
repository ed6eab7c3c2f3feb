/** An inbound WhatsApp message as the webhook hands it to the bot. */
export interface InboundWhatsAppMessage {
  messageSid: string;
  /** E.164, e.g. +9779812345678. */
  phone: string;
  body: string;
  profileName?: string | undefined;
  numMedia: number;
  receivedAt: Date;
}

/** What the webhook needs from the bot (`createBot` from @khaacho/bot provides it). */
export interface WebhookBot {
  handle(message: InboundWhatsAppMessage): Promise<{ replies: string[]; duplicate: boolean }>;
}
