import { createHash, timingSafeEqual } from "node:crypto";
import type { CarrierNotification, CarrierNotificationReading, CarrierPortInStatus } from "../../domain/carrier-lifecycle.js";
import { childObject, childText, parseXml } from "../kit/xml.js";
import { bandwidthPortInState } from "./bandwidth-portin-wire.js";

/** The HTTP Basic credentials the account's notification subscription calls back with (BANDWIDTH_CALLBACK_*). */
export interface BandwidthCallbackCredentials {
  readonly username: string;
  readonly password: { reveal(): string };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Constant-time: both sides are hashed to equal-length digests first, so neither the length nor a prefix leaks. */
function sameText(received: string, expected: string): boolean {
  return timingSafeEqual(digest(received), digest(expected));
}

/** The user and password of an `Authorization: Basic` header; undefined when there is none or it is not Basic. */
function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function dateOf(text: string | undefined): Date | undefined {
  const at = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/**
 * Reads a Bandwidth order notification (orderWebhook.md: POST of <Notification> with SubscriptionId, OrderType,
 * OrderId, CustomerOrderId, Status, Message, CompletedTelephoneNumbers, LastModifiedDate, ActualFocDate), after
 * checking the HTTP Basic credentials the subscription was set up with. Bandwidth signs nothing else, so a notification
 * without those exact credentials is refused. The event type is "<OrderType>:<Status>" ("portin:FOC"); only port-in
 * notifications carry a status. Never throws.
 */
export function readBandwidthPortInNotification(notification: CarrierNotification, credentials: BandwidthCallbackCredentials | undefined): CarrierNotificationReading {
  try {
    return readNotification(notification, credentials);
  } catch {
    // Whatever arrived (a header of an unexpected shape, a body that is not text) is refused, never thrown.
    return { verified: false, reason: "the notification could not be read" };
  }
}

function readNotification(notification: CarrierNotification, credentials: BandwidthCallbackCredentials | undefined): CarrierNotificationReading {
  if (credentials === undefined) {
    return { verified: false, reason: "BANDWIDTH_CALLBACK_USERNAME and BANDWIDTH_CALLBACK_PASSWORD are not set, so Bandwidth notifications cannot be verified" };
  }
  if (notification.method.toUpperCase() !== "POST") return { verified: false, reason: `Bandwidth posts its notifications; this one came by ${notification.method}` };
  const given = basicCredentials(notification.headers["authorization"]);
  if (given === undefined) return { verified: false, reason: "the notification has no HTTP Basic credentials" };
  // Both comparisons always run: the answer takes as long whichever part is wrong.
  const usernameMatches = sameText(given.username, credentials.username);
  const passwordMatches = sameText(given.password, credentials.password.reveal());
  if (!(usernameMatches && passwordMatches)) return { verified: false, reason: "the notification's HTTP Basic credentials are not the subscription's" };

  let root: Record<string, unknown> | undefined;
  try {
    root = childObject(parseXml(notification.body.toString("utf8")), "Notification");
  } catch {
    root = undefined;
  }
  if (root === undefined) return { verified: false, reason: "the notification body is not Bandwidth's <Notification> XML" };
  const orderType = childText(root, "OrderType");
  const status = childText(root, "Status");
  if (orderType === undefined || status === undefined) return { verified: false, reason: "the notification names no OrderType or Status" };
  return { verified: true, eventType: `${orderType}:${status}`, status: orderType.toLowerCase() === "portin" ? portInStatusOf(root, status) : undefined };
}

function portInStatusOf(root: Record<string, unknown>, processingStatus: string): CarrierPortInStatus | undefined {
  const carrierOrderId = childText(root, "OrderId");
  if (carrierOrderId === undefined) return undefined;
  const state = bandwidthPortInState(processingStatus);
  // The message of an EXCEPTION carries the reason ("7213: PIN number is invalid"); of other changes, only Bandwidth's note.
  const message = childText(root, "Message") ?? "";
  return {
    carrierOrderId,
    state,
    focDate: dateOf(childText(root, "ActualFocDate")),
    carrierStatus: processingStatus,
    detail: state === "action_required" || state === "failed" ? message : "",
    statusTime: dateOf(childText(root, "LastModifiedDate")),
  };
}
