import { featureMethods } from "../domain/carrier-adapter.js";
import type { CarrierNotification } from "../domain/carrier-lifecycle.js";
import { recordPortStatus, type PortingContext } from "./porting-context.js";

export interface CallbackAnswer {
  /** 204: taken (or not about a port numbergate follows); 401: not proven to come from the carrier; 404: no such carrier. */
  readonly status: 204 | 401 | 404;
  readonly reason: string;
}

/**
 * A carrier's porting notification, as it reached numbergate's HTTP port: verified by the carrier's adapter as
 * the carrier specifies, then applied through the same state machine as polls (idempotent, out-of-order safe: a
 * notification older than what numbergate saw is ignored, and one without the carrier's time only triggers a poll).
 * Anything unverified is refused and audited, never applied. Polling goes on regardless: a lost or refused
 * callback only delays what the poller finds.
 */
export async function receivePortingNotification(context: PortingContext, carrierId: string, notification: CarrierNotification): Promise<CallbackAnswer> {
  const registration = context.manager.registrations.find((candidate) => candidate.adapter.descriptor.id === carrierId);
  const porting = registration ? featureMethods(registration.adapter, "porting") : undefined;
  if (!porting) return { status: 404, reason: `numbergate takes no porting notifications from ${carrierId}` };
  const reading = porting.readPortInNotification(notification);
  // One resource per carrier: a run of identical rejections (a flood of forgeries) is one audit row with a count.
  const audit = (outcome: string, detail: string) =>
    context.store.audit.record({ actor: `carrier callback from ${carrierId}`, carrierId, operation: "porting.callback", outcome, resourceType: "porting_callback", resourceId: carrierId, detail });
  if (!reading.verified) {
    await audit("rejected", reading.reason);
    context.logger.warn({ carrierId, reason: reading.reason }, "rejected a porting notification that could not be verified");
    // The sender learns nothing of why (which check failed says how numbergate is configured); the log says.
    return { status: 401, reason: "unverified notification" };
  }
  const status = reading.status;
  if (!status || status.carrierOrderId === "") return { status: 204, reason: `${reading.eventType}: nothing about a port's status` };
  const order = await context.store.portingOrders.findByCarrierOrder(carrierId, status.carrierOrderId);
  if (!order) {
    // Verified, but about a port numbergate did not create (another system on the same account): taken, not applied.
    await audit("unknown port", `${reading.eventType.slice(0, 100)} for ${carrierId} port-in ${status.carrierOrderId.slice(0, 100)}, which is no porting order of numbergate's`);
    return { status: 204, reason: "not a port numbergate follows" };
  }
  if (status.statusTime === undefined) {
    // Without the carrier's time it cannot be placed among what numbergate already saw (a late or replayed
    // notification would move the port back): it only has the port read at the carrier at the next sweep.
    await context.store.portingOrders.checkSoon(order.id, context.now());
    return { status: 204, reason: "port checked at the carrier soon" };
  }
  const result = await recordPortStatus(context, order.id, status, "carrier callback", `carrier callback from ${carrierId}`);
  return { status: 204, reason: result.kind };
}
