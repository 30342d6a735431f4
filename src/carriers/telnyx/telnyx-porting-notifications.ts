import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { CarrierNotification, CarrierNotificationReading, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import { telnyxPortInStatus } from "./map-telnyx-porting-status.js";
import { telnyxPortingDeletedSchema, telnyxPortingStatusChangedSchema, telnyxWebhookEventSchema } from "./telnyx-porting-wire.js";

/**
 * Telnyx's porting webhooks (telnyx.md, Buy and 6. Porting): Ed25519 over `"{telnyx-timestamp}|{raw body}"`, the
 * signature in `telnyx-signature-ed25519` (base64) and the Unix-seconds timestamp in `telnyx-timestamp`, verified with
 * the account's public key as Telnyx's portal shows it (the raw 32-byte key in base64, TELNYX_PUBLIC_KEY).
 */

/** How far a notification's timestamp may be from its arrival before it is taken for a replay (Telnyx's SDKs: 300 s). */
export const TELNYX_WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The public key as a KeyObject from its base64 raw form; undefined when it is not a 32-byte Ed25519 key. */
export function telnyxWebhookKey(publicKeyBase64: string | undefined): KeyObject | undefined {
  if (publicKeyBase64 === undefined || !BASE64.test(publicKeyBase64)) return undefined;
  const raw = Buffer.from(publicKeyBase64, "base64");
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) return undefined;
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  } catch {
    return undefined;
  }
}

function rejected(reason: string): CarrierNotificationReading {
  return { verified: false, reason };
}

/** Checks the signature and the timestamp; the reason when the notification is not proven to be Telnyx's. */
function signatureProblem(notification: CarrierNotification, key: KeyObject): string | undefined {
  const signature = notification.headers["telnyx-signature-ed25519"];
  const timestamp = notification.headers["telnyx-timestamp"];
  if (signature === undefined || signature === "") return "the telnyx-signature-ed25519 header is missing";
  if (timestamp === undefined || timestamp === "") return "the telnyx-timestamp header is missing";
  if (!/^[0-9]{1,12}$/.test(timestamp)) return "the telnyx-timestamp header is not a Unix time";
  if (Math.abs(notification.receivedAt - Number(timestamp) * 1000) > TELNYX_WEBHOOK_TOLERANCE_MS) return "the telnyx-timestamp is more than 5 minutes from the time it arrived (a replay or a skewed clock)";
  const signatureBytes = BASE64.test(signature) ? Buffer.from(signature, "base64") : Buffer.alloc(0);
  if (signatureBytes.length !== ED25519_SIGNATURE_BYTES) return "the telnyx-signature-ed25519 header is not an Ed25519 signature";
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, "utf8"), notification.body]);
  let valid = false;
  try {
    valid = verify(null, signed, key, signatureBytes);
  } catch {
    valid = false;
  }
  return valid ? undefined : "the signature does not verify with the configured Telnyx public key";
}

/** The port-in an event reports on; undefined for an event that is not about a porting order's status. */
function statusOfEvent(eventType: string, payload: unknown): CarrierPortInStatus | undefined | "unreadable" {
  switch (eventType) {
    case "porting_order.status_changed": {
      const parsed = telnyxPortingStatusChangedSchema.safeParse(payload);
      if (!parsed.success) return "unreadable";
      // The event carries no FOC date; a poll of the order reads it.
      return telnyxPortInStatus({ id: parsed.data.id, status: parsed.data.status, updatedAt: parsed.data.updated_at, focActual: undefined }, "the porting order is a draft at Telnyx, not yet submitted");
    }
    case "porting_order.deleted": {
      // Only a draft can be deleted: the port-in it was will never happen.
      const parsed = telnyxPortingDeletedSchema.safeParse(payload);
      if (!parsed.success) return "unreadable";
      const deletedAt = parsed.data.deleted_at ? Date.parse(parsed.data.deleted_at) : Number.NaN;
      return { carrierOrderId: parsed.data.id, state: "cancelled", focDate: undefined, carrierStatus: "deleted", detail: "the draft porting order was deleted", statusTime: Number.isNaN(deletedAt) ? undefined : new Date(deletedAt) };
    }
    default:
      // Comments, splits and every non-porting event say nothing about a port-in's status.
      return undefined;
  }
}

/** Verifies and reads one notification; never throws. */
export function readTelnyxPortingNotification(notification: CarrierNotification, key: KeyObject | undefined): CarrierNotificationReading {
  try {
    if (key === undefined) return rejected("no Telnyx public key is configured (TELNYX_PUBLIC_KEY): notifications cannot be verified");
    const problem = signatureProblem(notification, key);
    if (problem !== undefined) return rejected(problem);
    let body: unknown;
    try {
      body = JSON.parse(notification.body.toString("utf8"));
    } catch {
      return rejected("the body is not JSON");
    }
    const event = telnyxWebhookEventSchema.safeParse(body);
    if (!event.success) return rejected("the body is not a Telnyx event");
    const status = statusOfEvent(event.data.data.event_type, event.data.data.payload);
    if (status === "unreadable") return rejected(`the ${event.data.data.event_type} payload could not be read`);
    return { verified: true, eventType: event.data.data.event_type, status };
  } catch {
    return rejected("the notification could not be read");
  }
}
