import { randomUUID } from "node:crypto";
import { request } from "undici";
import { buildXml } from "../kit/xml.js";

/** Where port-in notifications go, and the HTTP Basic credentials they carry (a `portins` subscription's callback). */
export interface PortInNotificationTarget {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** One status change to notify, in the fields of Bandwidth's order webhook (orderWebhook.md "Parameters"). */
export interface PortInNotification {
  readonly orderId: string;
  readonly customerOrderId: string | undefined;
  readonly status: string;
  readonly message: string;
  readonly lastModifiedDate: string;
  readonly actualFocDate: string | undefined;
  /** Only on COMPLETE: "the completed telephone numbers for Port-in ... orders in terminal state". */
  readonly completedTelephoneNumbers: readonly string[] | undefined;
}

/** What became of one notification: the HTTP status the receiver answered, or why it could not be sent. */
export interface PortInNotificationDelivery {
  readonly orderId: string;
  readonly status: string;
  readonly httpStatus?: number;
  readonly error?: string;
}

const SEND_TIMEOUT_MS = 10_000;

/**
 * Sends port-in notifications to one configured receiver, one at a time and in the order the changes happened. A
 * failed delivery (refused connection, timeout, non-2xx answer) is recorded in `deliveries`, never thrown into the
 * port-in's processing, and not retried.
 */
export class BandwidthPortInNotifier {
  readonly deliveries: PortInNotificationDelivery[] = [];
  #target: (PortInNotificationTarget & { readonly subscriptionId: string }) | undefined;
  #queue: Promise<void> = Promise.resolve();

  /** Starts notifying this receiver (a new subscription id); undefined stops notifications. */
  configure(target: PortInNotificationTarget | undefined): void {
    this.#target = target === undefined ? undefined : { ...target, subscriptionId: randomUUID() };
  }

  notify(notification: PortInNotification): void {
    const target = this.#target;
    if (target === undefined) return;
    const body = notificationXml(target.subscriptionId, notification);
    this.#queue = this.#queue.then(() => this.#send(target, notification, body));
  }

  /** Resolves once every notification queued so far has been delivered or has failed. */
  settled(): Promise<void> {
    return this.#queue;
  }

  async #send(target: PortInNotificationTarget, notification: PortInNotification, body: string): Promise<void> {
    const { orderId, status } = notification;
    try {
      const answer = await request(target.url, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`).toString("base64")}`,
          "content-type": "application/xml; charset=utf-8",
        },
        body,
        // A fresh connection each time: the receiver may be stopped between notifications.
        reset: true,
        headersTimeout: SEND_TIMEOUT_MS,
        bodyTimeout: SEND_TIMEOUT_MS,
      });
      await answer.body.dump();
      this.deliveries.push({ orderId, status, httpStatus: answer.statusCode });
    } catch (error) {
      this.deliveries.push({ orderId, status, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function notificationXml(subscriptionId: string, notification: PortInNotification): string {
  return buildXml({
    Notification: {
      SubscriptionId: subscriptionId,
      OrderType: "portin",
      OrderId: notification.orderId,
      CustomerOrderId: notification.customerOrderId,
      Status: notification.status,
      Message: notification.message,
      ...(notification.completedTelephoneNumbers ? { CompletedTelephoneNumbers: { TelephoneNumber: [...notification.completedTelephoneNumbers] } } : {}),
      LastModifiedDate: notification.lastModifiedDate,
      ActualFocDate: notification.actualFocDate,
    },
  });
}
