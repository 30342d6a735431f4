import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";

/** One attempt to deliver an event: the receiver's HTTP status, or why nothing came back. */
export interface TelnyxWebhookDelivery {
  readonly url: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  /** The receiver's answer; absent when the request failed (then `error` says why). */
  readonly status?: number;
  readonly error?: string;
  /** Telnyx counts only a 2xx as delivered (the spec's webhook: "The server must return a HTTP 200"). */
  readonly delivered: boolean;
}

/** A slow receiver must not hold up the events behind it for long. */
const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * Telnyx's webhook sender: each event is POSTed as `{data: {event_type, id, occurred_at, payload, record_type:
 * "event"}, meta: {attempt, delivered_to}}`, signed with Ed25519 over `${telnyx-timestamp}|${raw body}` and sent with
 * the `telnyx-timestamp` (Unix seconds) and `telnyx-signature-ed25519` (base64) headers (telnyx.md, Buy [S1][S8]).
 * The key pair is made when the emulator is built; the public key is shown as Telnyx's portal shows it: the raw
 * 32-byte key in base64. Deliveries go out one at a time, in the order the events happened; a failed one is recorded
 * in `deliveries`, never thrown, and not retried (Telnyx would try a failover URL, which the emulator has none of).
 */
export class TelnyxWebhookSender {
  readonly #privateKey: KeyObject;
  readonly #publicKey: string;
  readonly #accountUrls = new Set<string>();
  readonly deliveries: TelnyxWebhookDelivery[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly now: () => number) {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    this.#privateKey = privateKey;
    const jwk = publicKey.export({ format: "jwk" });
    this.#publicKey = Buffer.from(jwk.x ?? "", "base64url").toString("base64");
  }

  /** The Ed25519 public key (base64 of the raw 32 bytes) that verifies this emulator's webhooks. */
  get publicKey(): string {
    return this.#publicKey;
  }

  /** Sends every later event to this URL too, as a portal notification profile does for all orders of the account. */
  notifyTo(url: string): void {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error("a webhook URL is http or https");
    this.#accountUrls.add(url);
  }

  /** Queues the event for the account's URLs and the order's own `webhook_url`, if it has one. */
  publish(eventType: string, payload: Record<string, unknown>, orderUrl: string | null): void {
    const targets = new Set(this.#accountUrls);
    if (orderUrl !== null) targets.add(orderUrl);
    if (targets.size === 0) return;
    const event = { event_type: eventType, id: randomUUID(), occurred_at: new Date(this.now()).toISOString(), payload, record_type: "event" };
    for (const url of targets) {
      const body = JSON.stringify({ data: event, meta: { attempt: 1, delivered_to: url } });
      this.#queue = this.#queue.then(() => this.#deliver(url, event.id, eventType, body));
    }
  }

  /** Resolves once every event published so far has been delivered or has failed. */
  settled(): Promise<void> {
    return this.#queue;
  }

  async #deliver(url: string, eventId: string, eventType: string, body: string): Promise<void> {
    const timestamp = String(Math.floor(this.now() / 1000));
    const signature = sign(null, Buffer.from(`${timestamp}|${body}`), this.#privateKey).toString("base64");
    const headers = { "content-type": "application/json", "telnyx-timestamp": timestamp, "telnyx-signature-ed25519": signature };
    try {
      const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
      await response.arrayBuffer();
      this.deliveries.push({ url, eventId, eventType, body, status: response.status, delivered: response.status >= 200 && response.status < 300 });
    } catch (error) {
      this.deliveries.push({ url, eventId, eventType, body, error: error instanceof Error ? error.message : String(error), delivered: false });
    }
  }
}
