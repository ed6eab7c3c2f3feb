import twilio from "twilio";

/** A TwiML messaging response with one `<Message>` per reply (none: an empty response). */
export function renderTwiml(replies: readonly string[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const reply of replies) response.message(reply);
  return response.toString();
}
