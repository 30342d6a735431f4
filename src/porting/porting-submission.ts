import { featureMethods, type FeatureMethods } from "../domain/carrier-adapter.js";
import type { CarrierPortInRequest, CarrierPortInStatus } from "../domain/carrier-lifecycle.js";
import type { CarrierOperation } from "../domain/carrier-operation.js";
import { parseStoredNumber } from "../domain/phone-number.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import { CarrierError } from "../domain/carrier-error.js";
import { describeError } from "../lifecycle/carrier-answers.js";
import type { PortingOrderRecord } from "../store/porting-records.js";
import { recordPortStatus, type PortingContext } from "./porting-context.js";


/** Calls the port's carrier through its pipeline with the porting methods of its adapter. */
export function callPorting<Result>(
  context: PortingContext,
  carrierId: string,
  operation: CarrierOperation,
  call: (porting: FeatureMethods<"porting">, signal: AbortSignal | undefined) => Promise<Result>,
  signal: AbortSignal | undefined,
): Promise<Result> {
  return context.manager.callCarrier(
    carrierId,
    operation,
    (adapter, callSignal) => {
      const porting = featureMethods(adapter, "porting");
      if (!porting) throw new CarrierUnavailableError(carrierId, `numbergate does not offer porting at ${carrierId}`);
      return call(porting, callSignal);
    },
    signal,
    // A port already at the carrier is followed to its end even while new work is drained away from it.
    { evenWhenDrained: operation !== "port_in" },
  );
}

/** The carrier's port-in request for a stored order: its secrets opened here, for the wire only. */
export async function portInRequestOf(context: PortingContext, order: PortingOrderRecord): Promise<CarrierPortInRequest> {
  const secrets = await context.store.portingOrders.secrets(order.id);
  return {
    numbers: order.phoneNumbers.map(parseStoredNumber),
    orderReference: order.orderReference,
    losingCarrierName: order.currentProvider,
    authorizedName: order.authorizedName,
    authorizedEmail: secrets?.authorizedEmail,
    accountNumber: secrets?.accountNumber,
    pin: secrets?.pin,
    serviceAddress: order.serviceAddress,
    requestedPortDate: order.requestedPortAt === undefined ? undefined : new Date(order.requestedPortAt),
    carrierDocuments: order.carrierDocuments,
    notificationUrl: context.notificationUrl(order.carrierId),
  };
}

/**
 * Submits a pending port that was never sent. The store's compare-and-set on submission_started_at lets one
 * caller at a time send it (the RPC that created it, or a replica's poller after a crash); a lost answer leaves
 * it in doubt for resolveSubmission, never sent again blindly.
 */
export async function submitPort(context: PortingContext, order: PortingOrderRecord, actor: string, signal?: AbortSignal): Promise<void> {
  const startedAt = context.now();
  if (!(await context.store.portingOrders.markSubmitting(order.id, startedAt))) return;
  const request = await portInRequestOf(context, order);
  let status: CarrierPortInStatus;
  try {
    status = await callPorting(context, order.carrierId, "port_in", (porting, callSignal) => porting.doCreatePortIn(request, { signal: callSignal }), signal);
  } catch (error) {
    if (refusedOutright(error)) {
      // The carrier refused the submission itself: there is no port at the carrier to follow or correct.
      await recordPortStatus(context, order.id, refusedStatus(error.carrierMessage ? `${error.message}: ${error.carrierMessage}` : error.message), "request", actor);
    } else if (neverActed(error)) {
      // Not sent (breaker open, drained, connection refused) or turned away unread (rate limit, credentials): the
      // port stays PENDING and the poller submits it again later.
      await context.store.portingOrders.clearSubmitting(order.id, startedAt, context.now());
      context.logger.warn({ portingOrderId: order.id, carrierId: order.carrierId, reason: describeError(error) }, "port-in not submitted now; trying again later");
    } else {
      context.logger.warn({ portingOrderId: order.id, carrierId: order.carrierId, reason: describeError(error) }, "port-in submission outcome unknown; it is looked up at the carrier before anything is sent again");
    }
    return;
  }
  await recordPortStatus(context, order.id, status, "request", actor);
}

/** The carrier read the request and refused it (or numbergate's adapter did, before sending): nothing to look up. */
export function refusedOutright(error: unknown): error is CarrierError {
  return CarrierError.is(error) && (error.kind === "invalid_request" || error.kind === "not_found");
}

/**
 * The carrier did not act on the request: it was never sent (numbergate's own limits, a refused connection) or the
 * carrier turned it away without reading it (rate limited, credentials refused). Sending it again later is safe.
 */
export function neverActed(error: unknown): boolean {
  if (error instanceof CarrierUnavailableError) return true;
  return CarrierError.is(error) && (!error.requestMayHaveReachedCarrier || error.kind === "rate_limited" || error.kind === "auth");
}

function refusedStatus(detail: string): CarrierPortInStatus {
  return { carrierOrderId: "", state: "failed", focDate: undefined, carrierStatus: "refused", detail: `the carrier refused the port-in: ${detail}`, statusTime: undefined };
}

/**
 * A submission whose answer was lost: the carrier is asked for a port-in with the order's reference. Found, it
 * is followed from then on; not found once the grace has passed, the request never arrived, and the order is
 * made sendable again.
 */
export async function resolveSubmission(context: PortingContext, order: PortingOrderRecord, signal?: AbortSignal): Promise<void> {
  const lookup = { orderReference: order.orderReference, numbers: order.phoneNumbers.map(parseStoredNumber), sentAt: new Date(order.submissionStartedAt ?? order.createdAt) };
  const found = await callPorting(context, order.carrierId, "port_in_status", (porting, callSignal) => porting.doFindPortIn(lookup, { signal: callSignal }), signal);
  if (found) {
    await recordPortStatus(context, order.id, found, "carrier poll", "numbergate");
    return;
  }
  const startedAt = order.submissionStartedAt;
  if (startedAt !== undefined && context.now() - startedAt >= context.settings.submissionGraceMs) {
    await context.store.portingOrders.clearSubmitting(order.id, startedAt, context.now());
    context.logger.warn({ portingOrderId: order.id, carrierId: order.carrierId }, "the carrier has no port-in for an unanswered submission after the grace period; submitting it again");
  }
}

/**
 * A resubmission whose answer was lost. Its carrier call has the grace to finish (and the order to hear its
 * answer) first; then the carrier is asked for the port-in it made: found, it is the port's from then on; not
 * found, the resubmission never arrived, and the order follows the carrier order it has again.
 */
export async function resolveResubmission(context: PortingContext, order: PortingOrderRecord, signal?: AbortSignal): Promise<void> {
  const startedAt = order.resubmissionStartedAt;
  if (startedAt === undefined || context.now() - startedAt < context.settings.submissionGraceMs) return;
  const lookup = { orderReference: order.orderReference, numbers: order.phoneNumbers.map(parseStoredNumber), sentAt: new Date(startedAt) };
  const found = await callPorting(context, order.carrierId, "port_in_status", (porting, callSignal) => porting.doFindPortIn(lookup, { signal: callSignal }), signal);
  if (found) {
    await recordPortStatus(context, order.id, found, "request", "numbergate");
    return;
  }
  await context.store.portingOrders.clearResubmitting(order.id, startedAt, context.now());
  context.logger.warn({ portingOrderId: order.id, carrierId: order.carrierId }, "the carrier has no port-in for an unanswered resubmission after the grace period; following the port as it was");
}
