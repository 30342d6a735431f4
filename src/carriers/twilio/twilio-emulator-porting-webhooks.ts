import { createHash, createHmac } from "node:crypto";
import { json, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { TWILIO_INVALID_PARAMETER, twilioErrorResponse } from "./twilio-emulator-common.js";
import { isoTimestamp, type PortingWebhookConfiguration } from "./twilio-emulator-porting-model.js";

/**
 * The porting notification events (porting-webhooks page, twilio.md [S8], and the spec's webhook configuration
 * example). PortInPhoneNumberCanceled is not in the spec's example list; the emulator sends it when a number is
 * canceled, as Twilio's webhook table does for the request (PortInCanceled).
 */
export const PORTING_EVENTS: ReadonlySet<string> = new Set([
  "PortInWaitingForSignature", "PortInInProgress", "PortInCompleted", "PortInActionRequired", "PortInCanceled", "PortInExpired",
  "PortInPhoneNumberWaitingForSignature", "PortInPhoneNumberSubmitted", "PortInPhoneNumberPending", "PortInPhoneNumberCompleted",
  "PortInPhoneNumberRejected", "PortInPhoneNumberCanceled", "PortOutPhoneNumberCompleted",
]);

const CONFIGURATION_URL = "https://numbers.twilio.com/v1/Porting/Configuration/Webhook";
const DELIVERY_TIMEOUT_MS = 5000;

/** One attempt to deliver a porting event: the answer's HTTP status, or why there was none. */
export interface PortingWebhookDelivery {
  readonly event: string;
  /** The URL posted to, with its bodySHA256 parameter. */
  readonly url: string;
  readonly body: string;
  readonly signature: string;
  readonly status?: number;
  readonly error?: string;
}

/**
 * How Twilio signs a webhook whose body is JSON (webhooks security page): the SHA-256 of the body, hex, is added to the
 * URL as the `bodySHA256` query parameter, and X-Twilio-Signature is base64(HMAC-SHA1(auth token, that full URL)) with
 * no body parameters appended (a form body's sorted parameters are appended; a JSON body's are not).
 */
export function signJsonWebhook(authToken: string, targetUrl: string, body: string): { readonly url: string; readonly signature: string } {
  const url = new URL(targetUrl);
  url.searchParams.append("bodySHA256", createHash("sha256").update(body, "utf8").digest("hex"));
  const signedUrl = url.toString();
  return { url: signedUrl, signature: createHmac("sha1", authToken).update(signedUrl, "utf8").digest("base64") };
}

function isWebUrl(value: unknown): value is string {
  if (typeof value !== "string" || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "https:" || protocol === "http:";
}

/** The account's porting webhook configuration, and the delivery of events to it. */
export class PortingWebhooks {
  configuration: PortingWebhookConfiguration | null = null;
  /** Every delivery attempt, in order; failures are recorded here, never thrown. */
  readonly deliveries: PortingWebhookDelivery[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #authToken: string;
  readonly #now: () => number;

  constructor(authToken: string, now: () => number) {
    this.#authToken = authToken;
    this.#now = now;
  }

  /**
   * POST Configuration/Webhook (JSON): sets port_in_target_url, port_out_target_url (absolute http(s) URLs) and
   * notifications_of (known event names; empty means every event). Fields left out keep their value; at least one
   * target URL must be configured afterwards.
   */
  create(rawBody: string): EmulatorResponse {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "The request body must be JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "The request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    const unknown = Object.keys(fields).find((key) => !["port_in_target_url", "port_out_target_url", "notifications_of"].includes(key));
    if (unknown !== undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Unknown parameter: ${unknown}`);
    for (const field of ["port_in_target_url", "port_out_target_url"] as const) {
      if (fields[field] !== undefined && fields[field] !== null && !isWebUrl(fields[field])) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Invalid parameter ${field}: must be an absolute http(s) URL`);
    }
    const notifications = fields.notifications_of;
    if (notifications !== undefined && notifications !== null) {
      if (!Array.isArray(notifications)) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter notifications_of");
      const bad = notifications.find((event) => typeof event !== "string" || !PORTING_EVENTS.has(event));
      if (bad !== undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Invalid parameter notifications_of: unknown event ${String(bad)}`);
    }
    const previous = this.configuration;
    const now = this.#now();
    const portIn = typeof fields.port_in_target_url === "string" ? fields.port_in_target_url : (previous?.portInTargetUrl ?? null);
    const portOut = typeof fields.port_out_target_url === "string" ? fields.port_out_target_url : (previous?.portOutTargetUrl ?? null);
    if (portIn === null && portOut === null) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Missing required parameter port_in_target_url or port_out_target_url");
    this.configuration = {
      portInTargetUrl: portIn,
      portOutTargetUrl: portOut,
      notificationsOf: Array.isArray(notifications) ? notifications.map(String) : (previous?.notificationsOf ?? []),
      portInDateCreated: portIn === null ? null : portIn === previous?.portInTargetUrl ? previous.portInDateCreated : now,
      portOutDateCreated: portOut === null ? null : portOut === previous?.portOutTargetUrl ? previous.portOutDateCreated : now,
    };
    const { portInTargetUrl, portOutTargetUrl, notificationsOf } = this.configuration;
    return json(201, { url: CONFIGURATION_URL, port_in_target_url: portInTargetUrl, port_out_target_url: portOutTargetUrl, notifications_of: notificationsOf });
  }

  /** GET Configuration/Webhook: 404 (20404) until one is created. */
  fetch(): EmulatorResponse {
    const configuration = this.configuration;
    if (configuration === null) return twilioErrorResponse(404, 20404, "The requested resource was not found");
    return json(200, {
      url: CONFIGURATION_URL,
      port_in_target_url: configuration.portInTargetUrl,
      port_out_target_url: configuration.portOutTargetUrl,
      notifications_of: configuration.notificationsOf,
      port_in_target_date_created: configuration.portInDateCreated === null ? null : isoTimestamp(configuration.portInDateCreated),
      port_out_target_date_created: configuration.portOutDateCreated === null ? null : isoTimestamp(configuration.portOutDateCreated),
    });
  }

  /** DELETE Configuration/Webhook/{PORT_IN|PORT_OUT}: 204; 404 when that type is not configured. */
  remove(webhookType: string): EmulatorResponse {
    if (webhookType !== "PORT_IN" && webhookType !== "PORT_OUT") return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter WebhookType: must be PORT_IN or PORT_OUT");
    const configuration = this.configuration;
    const configured = webhookType === "PORT_IN" ? configuration?.portInTargetUrl : configuration?.portOutTargetUrl;
    if (!configuration || configured === null || configured === undefined) return twilioErrorResponse(404, 20404, "The requested resource was not found");
    const next = webhookType === "PORT_IN" ? { ...configuration, portInTargetUrl: null, portInDateCreated: null } : { ...configuration, portOutTargetUrl: null, portOutDateCreated: null };
    this.configuration = next.portInTargetUrl === null && next.portOutTargetUrl === null ? null : next;
    return { status: 204 };
  }

  /** Posts a port-in event to port_in_target_url when configured and not filtered out; returns at once. */
  notify(event: string, payload: Record<string, unknown>): void {
    const configuration = this.configuration;
    const target = configuration?.portInTargetUrl;
    if (!configuration || !target) return;
    if (configuration.notificationsOf.length > 0 && !configuration.notificationsOf.includes(event)) return;
    const body = JSON.stringify(payload);
    const { url, signature } = signJsonWebhook(this.#authToken, target, body);
    const delivery = this.#deliver(event, url, body, signature);
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }

  /** Resolves when every delivery started so far has been answered or has failed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  async #deliver(event: string, url: string, body: string, signature: string): Promise<void> {
    try {
      const answer = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-twilio-signature": signature },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await answer.arrayBuffer();
      this.deliveries.push({ event, url, body, signature, status: answer.status });
    } catch (error) {
      this.deliveries.push({ event, url, body, signature, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
