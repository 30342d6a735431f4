import { activeTraceParent } from "../telemetry/trace-links.js";
import type { Secret } from "../config/secret.js";
import { CarrierError } from "../domain/carrier-error.js";
import type { CarrierDocumentReference, CarrierPortInAddress, CarrierPortInDocument, CarrierPortInRequest, CarrierPortInStatus } from "../domain/carrier-lifecycle.js";
import { LifecycleError } from "../domain/service-errors.js";
import { fingerprint, newId, orderReference } from "../lifecycle/lifecycle-context.js";
import type { PortingOrderFilter, PortingOrderPage, PortingOrderRecord } from "../store/porting-records.js";
import { recordPortStatus, type PortingContext } from "./porting-context.js";
import { chooseGainingCarrier, type PortedNumber } from "./gaining-carrier.js";
import { canCancelPort, isFinalPortingState, type PortingState } from "./porting-state.js";
import type { PortabilityChecker } from "./portability-check.js";
import { callPorting, neverActed, portInRequestOf, refusedOutright, submitPort } from "./porting-submission.js";

export interface CreatePortInput {
  readonly requestId: string;
  readonly numbers: readonly PortedNumber[];
  /** The gaining carrier the caller named; undefined: numbergate chooses. */
  readonly carrierId: string | undefined;
  readonly currentProvider: string;
  readonly accountNumber: Secret | undefined;
  readonly pin: Secret | undefined;
  readonly authorizedName: string;
  readonly authorizedEmail: string | undefined;
  readonly serviceAddress: CarrierPortInAddress;
  readonly requestedPortAt: number | undefined;
  readonly carrierDocuments: readonly CarrierDocumentReference[];
  readonly actor: string;
}

export interface PortCorrection {
  readonly accountNumber?: Secret;
  readonly pin?: Secret;
  readonly authorizedName?: string;
  readonly serviceAddress?: CarrierPortInAddress;
}

const DOCUMENT_STATES: ReadonlySet<PortingState> = new Set(["awaiting_documents", "submitted", "action_required"]);
/** Where the carrier takes corrections: an order it sent back, or one it still waits on (a missing account number). */
const RESUBMITTABLE_STATES: ReadonlySet<PortingState> = new Set(["action_required", "awaiting_documents"]);

function wrongState(order: PortingOrderRecord, message: string): LifecycleError {
  return new LifecycleError("failed_precondition", "PORTING_ORDER_STATE", message, { porting_order_id: order.id, state: `PORTING_ORDER_STATE_${order.state.toUpperCase()}`, carrier_status: order.carrierStatus });
}

/** CreatePortingOrder, GetPortingOrder, ListPortingOrders, AttachPortingDocument, ResubmitPortingOrder, CancelPortingOrder. */
export class PortingService {
  constructor(
    private readonly context: PortingContext,
    private readonly portability: PortabilityChecker,
  ) {}

  /**
   * Records the port (idempotent by request_id: a retry answers the same order, a different request with the
   * same request_id is refused), then submits it to the gaining carrier. The answer is the order as the carrier
   * left it; a lost answer leaves it PENDING while the poller finds out what the carrier did.
   */
  async create(input: CreatePortInput, signal?: AbortSignal): Promise<PortingOrderRecord> {
    const { store, now } = this.context;
    // Secrets and personal data stay out of the fingerprint: it is stored in the clear.
    const requestFingerprint = fingerprint({
      numbers: input.numbers.map((entry) => entry.number.e164),
      carrierId: input.carrierId ?? null,
      currentProvider: input.currentProvider,
      requestedPortAt: input.requestedPortAt ?? null,
      documents: input.carrierDocuments,
    });
    const earlier = await store.portingOrders.getByRequestId(input.requestId);
    if (earlier) return this.#retried(earlier, requestFingerprint);

    const choice = await chooseGainingCarrier(this.context.manager, this.portability, input.numbers, input.carrierId, signal);
    if (choice.accountNumberRequired && input.accountNumber === undefined) {
      throw new LifecycleError("failed_precondition", "INVALID_FIELD", "the losing carrier needs the account number (and PIN) for this port", {}, [
        { field: "account_number", description: `is required: the losing carrier of these numbers needs it (as ${choice.carrierId}'s portability check says)` },
      ]);
    }
    const id = newId("prt");
    const created = await store.portingOrders.create({
      id,
      requestId: input.requestId,
      fingerprint: requestFingerprint,
      carrierId: choice.carrierId,
      phoneNumbers: input.numbers.map((entry) => entry.number.e164),
      orderReference: orderReference(id),
      currentProvider: input.currentProvider,
      authorizedName: input.authorizedName,
      serviceAddress: input.serviceAddress,
      requestedPortAt: input.requestedPortAt,
      carrierDocuments: input.carrierDocuments,
      secrets: { accountNumber: input.accountNumber, pin: input.pin, authorizedEmail: input.authorizedEmail },
      actor: input.actor,
      now: now(),
      traceParent: activeTraceParent(),
    });
    switch (created.kind) {
      case "existing":
      case "request_id_reused":
        return this.#retried(created.order, requestFingerprint);
      case "number_busy": {
        const field = input.numbers.find((entry) => entry.number.e164 === created.phoneNumber)?.field ?? "phone_number";
        throw new LifecycleError("failed_precondition", "NUMBER_HELD", `${created.phoneNumber} cannot be ported in: ${created.reason}`, { phone_number: created.phoneNumber }, [
          { field, description: created.reason },
        ]);
      }
      case "created":
        break;
    }
    this.context.events.publish(created.order);
    await submitPort(this.context, created.order, input.actor, signal);
    return this.get(id);
  }

  /** A retry (same fingerprint: the caller named the same carrier, or none) gets the order as it is now. */
  #retried(order: PortingOrderRecord, requestFingerprint: string): PortingOrderRecord {
    if (order.requestFingerprint !== requestFingerprint) {
      throw new LifecycleError("already_exists", "IDEMPOTENCY_KEY_REUSED", `request_id ${order.requestId} was used for a different porting order`, { porting_order_id: order.id }, [
        { field: "request_id", description: "was used for a different porting order" },
      ]);
    }
    return order;
  }

  async get(id: string): Promise<PortingOrderRecord> {
    const order = await this.context.store.portingOrders.get(id);
    if (!order) {
      throw new LifecycleError("not_found", "RESOURCE_NOT_FOUND", `no porting order ${id}`, { porting_order_id: id }, [{ field: "porting_order_id", description: "names no porting order" }]);
    }
    return order;
  }

  list(filter: PortingOrderFilter): Promise<PortingOrderPage> {
    return this.context.store.portingOrders.list(filter);
  }

  /** Hands the carrier a document; the order follows the carrier's answer (out of AWAITING_DOCUMENTS once it has all). */
  async attachDocument(id: string, document: CarrierPortInDocument, actor: string, signal?: AbortSignal): Promise<PortingOrderRecord> {
    const order = await this.get(id);
    if (!DOCUMENT_STATES.has(order.state) || order.carrierOrderId === undefined) {
      throw wrongState(order, `porting order ${id} is ${order.state}: documents are attached while the carrier has the order and it is open`);
    }
    const carrierOrderId = order.carrierOrderId;
    const status = await this.#carrierAnswer(order, "port_in", (porting, callSignal) => porting.doAttachPortInDocument(carrierOrderId, document, { signal: callSignal }), signal);
    await this.context.store.portingOrders.addDocument(id, {
      kind: document.kind,
      fileName: document.source === "content" ? document.fileName : "",
      contentType: document.source === "content" ? document.contentType : "",
      sizeBytes: document.source === "content" ? document.content.byteLength : 0,
      carrierDocumentId: document.source === "carrier" ? document.carrierDocumentId : undefined,
      attachedAt: this.context.now(),
    }, actor);
    await recordPortStatus(this.context, id, status, "request", actor);
    return this.get(id);
  }

  /** Corrects what the carrier rejected or lacks and submits the port again (ACTION_REQUIRED, AWAITING_DOCUMENTS). */
  async resubmit(id: string, correction: PortCorrection, actor: string, signal?: AbortSignal): Promise<PortingOrderRecord> {
    const order = await this.get(id);
    if (!RESUBMITTABLE_STATES.has(order.state) || order.carrierOrderId === undefined) {
      throw wrongState(order, `porting order ${id} is ${order.state}: only an order the carrier sent back (ACTION_REQUIRED) or still waits on (AWAITING_DOCUMENTS) is corrected and resubmitted`);
    }
    const { store, now } = this.context;
    const startedAt = now();
    // One resubmission at a time: the mark is taken before anything changes.
    if (!(await store.portingOrders.markResubmitting(id, startedAt))) throw wrongState(await this.get(id), `porting order ${id} is being resubmitted already, or no longer takes corrections`);
    const carrierOrderId = order.carrierOrderId;
    let request: CarrierPortInRequest;
    try {
      await store.portingOrders.correct(id, correction, actor, now());
      request = await portInRequestOf(this.context, await this.get(id));
    } catch (error) {
      await store.portingOrders.clearResubmitting(id, startedAt, now());
      throw error;
    }
    let status: CarrierPortInStatus;
    try {
      status = await callPorting(this.context, order.carrierId, "port_in", (porting, callSignal) => porting.doResubmitPortIn(carrierOrderId, request, { signal: callSignal }), signal);
    } catch (error) {
      // Not acted on, or refused outright: the port is what it was at the carrier, and polls read it again. Otherwise
      // (the answer was lost) the poller finds what the carrier did.
      if (neverActed(error) || refusedOutright(error)) await store.portingOrders.clearResubmitting(id, startedAt, now());
      throw error;
    }
    await recordPortStatus(this.context, id, status, "request", actor);
    return this.get(id);
  }

  /**
   * Cancels the port where the carrier still allows it. After the firm order commitment (or once final) the
   * answer is FAILED_PRECONDITION naming the state; a carrier that refuses is asked for the port's status first,
   * so the order shows why.
   */
  async cancel(id: string, actor: string, signal?: AbortSignal): Promise<PortingOrderRecord> {
    const order = await this.get(id);
    if (order.state === "cancelled") return order;
    if (!canCancelPort(order.state)) throw wrongState(order, `porting order ${id} is ${order.state}: the carrier no longer accepts a cancellation`);
    if (order.resubmissionStartedAt !== undefined) throw wrongState(order, `porting order ${id} is being resubmitted to ${order.carrierId}; cancel again once the carrier answered`);
    if (order.carrierOrderId === undefined) {
      if (order.submissionStartedAt !== undefined) throw wrongState(order, `porting order ${id} was sent to ${order.carrierId} and its answer is not known yet; cancel again once it is`);
      if (!(await this.context.store.portingOrders.markSubmitting(id, this.context.now()))) throw wrongState(order, `porting order ${id} is being submitted right now; cancel again once the carrier answered`);
      await recordPortStatus(this.context, id, { ...unsentStatus("cancelled"), detail: "cancelled before it was sent to the carrier" }, "request", actor);
      return this.get(id);
    }
    const carrierOrderId = order.carrierOrderId;
    try {
      await callPorting(this.context, order.carrierId, "port_in", (porting, callSignal) => porting.doCancelPortIn(carrierOrderId, { signal: callSignal }), signal);
    } catch (error) {
      if (!(CarrierError.is(error) && error.kind === "invalid_request")) throw error;
      const status = await this.#refresh(order, signal);
      const latest = await this.get(id);
      throw wrongState(latest, `${order.carrierId} refused to cancel porting order ${id}${status ? ` (${status.carrierStatus})` : ""}: ${error.message}`);
    }
    await this.#refresh(order, signal);
    return this.get(id);
  }

  async #refresh(order: PortingOrderRecord, signal: AbortSignal | undefined): Promise<CarrierPortInStatus | undefined> {
    const carrierOrderId = order.carrierOrderId;
    if (carrierOrderId === undefined) return undefined;
    const status = await callPorting(this.context, order.carrierId, "port_in_status", (porting, callSignal) => porting.doGetPortIn(carrierOrderId, { signal: callSignal }), signal);
    await recordPortStatus(this.context, order.id, status, "carrier poll", "numbergate");
    return status;
  }

  /** A request to the carrier about an open port. */
  async #carrierAnswer(
    order: PortingOrderRecord,
    operation: "port_in",
    call: Parameters<typeof callPorting<CarrierPortInStatus>>[3],
    signal: AbortSignal | undefined,
  ): Promise<CarrierPortInStatus> {
    if (isFinalPortingState(order.state)) throw wrongState(order, `porting order ${order.id} is ${order.state}`);
    return callPorting(this.context, order.carrierId, operation, call, signal);
  }
}

function unsentStatus(state: PortingState): CarrierPortInStatus {
  return { carrierOrderId: "", state, focDate: undefined, carrierStatus: "", detail: "", statusTime: undefined };
}
