import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { CarrierNotification, CarrierNotificationReading, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import { twilioRejectionDetail } from "./map-twilio-port-in-status.js";
import { TWILIO_PORT_IN_SID, twilioPortingEventSchema, type TwilioPortingEvent } from "./twilio-porting-wire.js";

/**
 * Twilio's porting webhooks (porting-webhooks page, twilio.md [S8]; the emulator's twilio-emulator-porting-webhooks.ts).
 * Twilio signs with the account's auth token: X-Twilio-Signature is base64(HMAC-SHA1(auth token, the full URL it
 * posted to)); for a JSON body that URL carries `bodySHA256`, the hex SHA-256 of the body, and no body parameters are
 * appended. Both are checked here, in constant time. The signature covers no timestamp, so a replayed notification
 * verifies: what it reports carries Twilio's last_date_updated, by which the caller orders observations.
 */

export interface TwilioNotificationSettings {
  /** The auth token Twilio signs with; undefined when numbergate is configured with an API key alone. */
  readonly authToken: string | undefined;
  /** The account whose port-ins numbergate follows (a parent account also receives its subaccounts' events). */
  readonly accountSid: string;
}

function sameText(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, "utf8");
  const rightBytes = Buffer.from(right, "utf8");
  // Unequal lengths say nothing secret: the expected value's length is public (a base64 SHA-1, a hex SHA-256).
  return leftBytes.length === rightBytes.length && timingSafeEqual(leftBytes, rightBytes);
}

/** Why the notification is not proven to come from Twilio, or undefined when it is. */
function signatureProblem(notification: CarrierNotification, authToken: string): string | undefined {
  if (notification.method.toUpperCase() !== "POST") return `Twilio posts its webhooks; this was a ${notification.method.slice(0, 10)}`;
  const signature = notification.headers["x-twilio-signature"];
  if (!signature) return "no X-Twilio-Signature header";
  const expected = createHmac("sha1", authToken).update(notification.url, "utf8").digest("base64");
  if (!sameText(signature.trim(), expected)) return "X-Twilio-Signature does not match the URL signed with the auth token";
  let bodyHash: string | null;
  try {
    bodyHash = new URL(notification.url).searchParams.get("bodySHA256");
  } catch {
    return "the notification URL is not a URL";
  }
  if (bodyHash === null) return "the URL has no bodySHA256 parameter, which Twilio adds for a JSON body";
  const actual = createHash("sha256").update(notification.body).digest("hex");
  if (!sameText(bodyHash.toLowerCase(), actual)) return "bodySHA256 does not match the body";
  return undefined;
}

/** "Waiting for Signature" -> "WaitingForSignature", as Twilio names its events (PortInWaitingForSignature, ...). */
function eventWord(status: string): string {
  return status
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join("");
}

function timeOf(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/**
 * The port-in status a verified event reports, when it is enough to say one. Request events say the request's status:
 * Waiting for Signature and In review are awaiting_documents, In progress submitted, Completed completed, Canceled
 * cancelled, Expired failed; Action Required names no number or reason, so it reports none (its number's Rejected
 * event carries them, and the poller reads the truth). A number event speaks for one number, which decides the
 * request's state only when it was Rejected (any rejected number makes the port action_required); the others report
 * none, as the request's state depends on its other numbers.
 */
function statusOf(event: TwilioPortingEvent, sid: string): CarrierPortInStatus | undefined {
  const status = event.status ?? "";
  const word = status.trim().toLowerCase();
  const base = { carrierOrderId: sid, focDate: undefined, statusTime: timeOf(event.last_date_updated), carrierStatus: status };
  if (event.port_in_phone_number_sid) {
    if (word !== "rejected") return undefined;
    return { ...base, state: "action_required", detail: twilioRejectionDetail(event.phone_number, event.rejection_reason, event.rejection_reason_code) };
  }
  switch (word) {
    case "in review":
      return { ...base, state: "awaiting_documents", detail: "Twilio is reviewing the request; it then e-mails the letter of authorization to the authorized representative to sign" };
    case "waiting for signature":
      return { ...base, state: "awaiting_documents", detail: "waiting for the authorized representative to sign the letter of authorization Twilio e-mailed" };
    case "in progress":
      return { ...base, state: "submitted", detail: "" };
    case "completed":
      return { ...base, state: "completed", detail: "" };
    case "canceled":
    case "cancelled":
      return { ...base, state: "cancelled", detail: event.order_cancellation_reason ?? "" };
    case "expired":
      return { ...base, state: "failed", detail: "Twilio let the port-in request expire" };
    default:
      return undefined;
  }
}

/** Verifies a porting webhook and reads it. Never throws: anything not proven to come from Twilio is verified: false. */
export function readTwilioPortingNotification(notification: CarrierNotification, settings: TwilioNotificationSettings): CarrierNotificationReading {
  try {
    if (settings.authToken === undefined) {
      return { verified: false, reason: "numbergate has no Twilio auth token to check signatures with (set TWILIO_AUTH_TOKEN next to the API key)" };
    }
    const problem = signatureProblem(notification, settings.authToken);
    if (problem !== undefined) return { verified: false, reason: problem };
    let json: unknown;
    try {
      json = JSON.parse(notification.body.toString("utf8"));
    } catch {
      return { verified: false, reason: "the body is not JSON" };
    }
    const parsed = twilioPortingEventSchema.safeParse(json);
    if (!parsed.success) return { verified: false, reason: "the body is not a Twilio porting event" };
    const event = parsed.data;
    const kind = event.port_in_phone_number_sid ? "PortInPhoneNumber" : "PortIn";
    const eventType = event.status ? `${kind}${eventWord(event.status)}` : kind;
    const sid = event.port_in_request_sid;
    // Another account's port (a subaccount's, under a parent's webhook) is none of numbergate's.
    const ours = event.account_sid === null || event.account_sid === undefined || event.account_sid === settings.accountSid;
    if (!sid || !TWILIO_PORT_IN_SID.test(sid) || !ours) return { verified: true, eventType, status: undefined };
    return { verified: true, eventType, status: statusOf(event, sid) };
  } catch {
    return { verified: false, reason: "the notification could not be read" };
  }
}
