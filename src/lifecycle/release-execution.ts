import { featureMethods } from "../domain/carrier-adapter.js";
import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierReleaseStatus } from "../domain/carrier-lifecycle.js";
import { CarrierUnavailableError } from "../domain/service-errors.js";
import type { AuditEntry } from "../store/audit-store.js";
import type { ReleaseRecord } from "../store/records.js";
import { checkDelay, describeError, isDefiniteRefusal } from "./carrier-answers.js";
import type { LifecycleContext } from "./lifecycle-context.js";
import { whileLeased } from "./lease-keeper.js";
import { parseStoredNumber } from "../domain/phone-number.js";

/**
 * Works a release this replica holds the lease on: sends it if it was never sent, else asks the carrier
 * what became of it (a release pending at the carrier, or one whose answer was lost). Never sent twice.
 */
export async function workRelease(context: LifecycleContext, release: ReleaseRecord, signal?: AbortSignal): Promise<void> {
  const { store, replicaId, now, settings, logger } = context;
  await whileLeased(
    { leaseMs: settings.leaseMs, now, logger, what: release.id },
    (until, at) => store.releases.renewLease(release.id, replicaId, until, at),
    () => (release.sentAt === undefined ? sendRelease(context, release, signal) : lookUpRelease(context, release, signal)),
  );
}

async function sendRelease(context: LifecycleContext, release: ReleaseRecord, signal?: AbortSignal): Promise<void> {
  const { store, manager, now, replicaId } = context;
  const owned = await store.ownedNumbers.get(release.ownedNumberId);
  if (!owned) throw new Error(`release ${release.id} names owned number ${release.ownedNumberId}, which does not exist`);
  if (!(await store.releases.markSent(release.id, replicaId, now()))) {
    context.logger.warn({ releaseId: release.id }, "lost the lease on a release before calling the carrier; leaving it to its new owner");
    return;
  }
  const started = now();
  try {
    const result = await manager.callCarrier(
      release.carrierId,
      "release",
      (adapter, callSignal) => {
        const releaser = featureMethods(adapter, "releases");
        if (!releaser) throw new CarrierUnavailableError(release.carrierId, `numbergate cannot release ${release.carrierId} numbers yet`);
        return releaser.doRelease({ number: parseStoredNumber(release.phoneNumber), carrierNumberId: owned.carrierNumberId, orderReference: release.orderReference }, { signal: callSignal });
      },
      signal,
    );
    const call = callAudit(release, "release", result.state, now() - started);
    if (result.state === "pending") {
      await waitFor(context, release, "pending", "the carrier is processing the release", call, { carrierOrderId: result.carrierOrderId });
    } else {
      await finish(context, release, "completed", undefined, result.state === "not_owned" ? "the carrier no longer had the number on the account" : "", call, result.carrierOrderId);
    }
  } catch (error) {
    const call = callAudit(release, "release", `failed: ${describeError(error)}`, now() - started);
    if (isDefiniteRefusal(error)) await finish(context, release, "failed", failureKindOf(error), describeError(error), call);
    else await waitFor(context, release, "in_doubt", `outcome unknown (${describeError(error)}); numbergate is asking the carrier`, call);
  }
}

async function lookUpRelease(context: LifecycleContext, release: ReleaseRecord, signal?: AbortSignal): Promise<void> {
  const { store, manager, now, settings } = context;
  const owned = await store.ownedNumbers.get(release.ownedNumberId);
  const started = now();
  let status: CarrierReleaseStatus;
  try {
    status = await manager.callCarrier(
      release.carrierId,
      "order_status",
      (adapter, callSignal) => {
        const releaser = featureMethods(adapter, "releases");
        if (!releaser) throw new CarrierUnavailableError(release.carrierId, `numbergate cannot look up ${release.carrierId} releases`);
        const lookup = { number: parseStoredNumber(release.phoneNumber), carrierNumberId: owned?.carrierNumberId, carrierOrderId: release.carrierOrderId, orderReference: release.orderReference };
        return releaser.doGetReleaseStatus(lookup, { signal: callSignal });
      },
      signal,
      { evenWhenDrained: true },
    );
  } catch (error) {
    const retryAfterMs = error instanceof CarrierUnavailableError || CarrierError.is(error) ? error.retryAfterMs : undefined;
    const delay = Math.max(checkDelay(settings.orderCheckIntervalMs, release.checkAttempts), retryAfterMs ?? 0);
    await waitFor(context, release, release.state === "pending" ? "pending" : "in_doubt", release.detail, callAudit(release, "release_status", `failed: ${describeError(error)}`, now() - started), { delay, failed: true });
    return;
  }
  const call = callAudit(release, "release_status", status.state, now() - started);
  switch (status.state) {
    case "completed":
      return finish(context, release, "completed", undefined, "", call);
    case "failed":
      return finish(context, release, "failed", "invalid_request", `the carrier's release order failed: ${status.detail}`, call);
    case "pending":
      return waitFor(context, release, "pending", "the carrier is processing the release", call);
    case "still_owned":
      if (release.sentAt !== undefined && now() - release.sentAt >= settings.inDoubtGraceMs) {
        // The carrier never saw the release: the number is still ours and billed; the caller must ask again.
        return finish(context, release, "failed", "timeout", "the release never reached the carrier; the number is still owned", call);
      }
      return waitFor(context, release, release.state === "pending" ? "pending" : "in_doubt", release.detail, call);
  }
}

async function finish(context: LifecycleContext, release: ReleaseRecord, state: "completed" | "failed", failureKind: string | undefined, detail: string, call: AuditEntry, carrierOrderId?: string): Promise<void> {
  const { store, now } = context;
  const audits = [call, { ...releaseAudit(release, `release.${state}`, state), actor: release.actor, detail }];
  await store.releases.finish(release.id, { state, carrierOrderId, failureKind, detail, now: now(), audits });
  if (state === "completed") context.holdsChanged();
}

async function waitFor(
  context: LifecycleContext,
  release: ReleaseRecord,
  state: "pending" | "in_doubt",
  detail: string,
  call: AuditEntry,
  options: { carrierOrderId?: string; delay?: number; failed?: boolean } = {},
): Promise<void> {
  const { store, now, settings } = context;
  const transition = state === release.state ? [] : [releaseAudit(release, `release.${state}`, state)];
  await store.releases.wait(release.id, {
    state,
    carrierOrderId: options.carrierOrderId,
    detail,
    nextCheckAt: now() + (options.delay ?? settings.orderCheckIntervalMs),
    now: now(),
    failed: options.failed ?? false,
    audits: [call, ...transition],
  });
}

/** What a refused release is replayed as for a same-request_id retry. */
function failureKindOf(error: unknown): string {
  if (CarrierError.is(error)) return error.kind;
  return "unavailable";
}

function releaseAudit(release: ReleaseRecord, operation: string, outcome: string): AuditEntry {
  return { actor: "numbergate", requestId: release.requestId, carrierId: release.carrierId, operation, outcome, resourceType: "release", resourceId: release.id };
}

function callAudit(release: ReleaseRecord, operation: string, outcome: string, latencyMs: number): AuditEntry {
  return { ...releaseAudit(release, operation, outcome), latencyMs };
}
