import { randomUUID } from "node:crypto";
import { xml, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { buildXml, childObject, childText } from "../kit/xml.js";
import { xmlRoot, type BandwidthEmulatedAccount } from "./bandwidth-emulator-common.js";
import { checkPortability, losingCarrierBySpid, losingCarrierOf, type PortabilityFacts } from "./bandwidth-emulator-lnp.js";
import { listDocuments, uploadDocument } from "./bandwidth-emulator-portin-documents.js";
import { listPortIns } from "./bandwidth-emulator-portin-list.js";
import { BandwidthPortInNotifier, type PortInNotificationDelivery, type PortInNotificationTarget } from "./bandwidth-emulator-portin-notifications.js";
import { applySupp, readLnpOrder, validatePortIn, type BandwidthError, type PortInContext } from "./bandwidth-emulator-portin-request.js";
import { describePortIn, draftXml, historyXml, lnpErrors, LNP_STATUS } from "./bandwidth-emulator-portin-views.js";
import type { EmulatedPortIn, PortInStatus } from "./bandwidth-emulator-portins-state.js";

export interface BandwidthPortInsOptions {
  readonly account: BandwidthEmulatedAccount;
  /** The API user: the author of the changes a request makes (history, LastModifiedBy). */
  readonly apiUser: string;
  /** TNs in service on the account: a completed port-in's TNs join them. */
  readonly owned: Set<string>;
  /** Whether the emulator's inventory (numbers Bandwidth itself sells) holds a TN: those cannot be ported in. */
  isInInventory(tn: string): boolean;
  /** The porting clock: port-ins' timestamps, their default FOC date and whether their FOC date has come. */
  now(): number;
  /** The clock a requested FOC date is judged on. */
  requestNow(): number;
  /** GETs of a port-in answered unchanged before the next one moves it a step. */
  pollsBeforeFinal(): number;
}

/** Notes of the history entries (and notification messages), in the words of the spec's history example where it has them. */
const NOTES: Readonly<Record<PortInStatus, string>> = {
  PENDING_DOCUMENTS: "LOA required",
  SUBMITTED: "Order has been created",
  FOC: "Order waiting for activation",
  COMPLETE: "Order is complete",
  REQUESTED_SUPP: "Supp request received",
  EXCEPTION: "",
  REQUESTED_CANCEL: "Cancellation request received",
  CANCELLED: "Order has been cancelled",
};

const WRONG_PIN: BandwidthError = { code: "7213", description: "PIN number is invalid" };

/**
 * Bandwidth's port-ins on the emulator. A port-in is created PENDING_DOCUMENTS and waits there for an LOA upload,
 * which submits it (SUBMITTED). From there the emulated back office moves it one step per GET of the order, once
 * `pollsBeforeFinal` GETs have found it unchanged: SUBMITTED -> FOC (the FOC date granted), or -> EXCEPTION (7213) when
 * the wireless losing carrier refuses the PIN; FOC -> COMPLETE once the emulator's clock has reached the FOC date
 * (the TNs are then in service on the account); REQUESTED_SUPP -> SUBMITTED (or back to PENDING_DOCUMENTS without an
 * LOA); REQUESTED_CANCEL -> CANCELLED. A supp (PUT) or a cancel (DELETE) is accepted until FOC. Every status change
 * is kept in the order's history and notified to the configured receiver.
 */
export class BandwidthPortIns {
  readonly records = new Map<string, EmulatedPortIn>();
  readonly #notifier = new BandwidthPortInNotifier();

  constructor(private readonly options: BandwidthPortInsOptions) {}

  /** POSTs Bandwidth's <Notification> to this receiver on every status change from now on (undefined: stop). */
  notifyTo(target: PortInNotificationTarget | undefined): void {
    this.#notifier.configure(target);
  }

  /** Every notification sent so far, with the receiver's answer or the failure. */
  get notificationDeliveries(): readonly PortInNotificationDelivery[] {
    return this.#notifier.deliveries;
  }

  /** Resolves once the notifications of every change so far have been delivered or have failed. */
  notificationsSettled(): Promise<void> {
    return this.#notifier.settled();
  }

  /** Whether a TN is on a port-in that is neither complete nor cancelled (other than `exceptOrderId`). */
  isOnOpenPortIn(tn: string, exceptOrderId?: string): boolean {
    for (const record of this.records.values()) {
      if (record.id !== exceptOrderId && record.status !== "COMPLETE" && record.status !== "CANCELLED" && record.draft.phoneNumbers.includes(tn)) return true;
    }
    return false;
  }

  checkPortability(request: EmulatorRequest): EmulatorResponse {
    return checkPortability(request, this.#facts(), (tn) => this.isOnOpenPortIn(tn));
  }

  /** POST portins: validated at once (400 with every error found), else 201 PENDING_DOCUMENTS with an absolute Location. */
  create(request: EmulatorRequest): EmulatorResponse {
    const order = xmlRoot(request.body, "LnpOrder");
    if (!order) return lnpErrors(400, [{ code: "7598", description: "Invalid Request" }]);
    const result = validatePortIn(readLnpOrder(order), this.#context());
    if ("errors" in result) return lnpErrors(400, result.errors);
    const at = this.#timestamp();
    const record: EmulatedPortIn = {
      id: randomUUID(),
      draft: result.accepted.draft,
      losingCarrierSpid: result.accepted.carrier.spid,
      focDate: result.accepted.focDate,
      status: "PENDING_DOCUMENTS",
      polls: 0,
      documents: [],
      history: [],
      createdAt: at,
      lastModifiedAt: at,
      lastModifiedBy: this.options.apiUser,
    };
    this.records.set(record.id, record);
    this.#changeStatus(record, "PENDING_DOCUMENTS", this.options.apiUser);
    const body = buildXml({ LnpOrderResponse: { OrderId: record.id, Status: LNP_STATUS.created, ProcessingStatus: record.status, ...draftXml(record.draft) } });
    return xml(201, body, { location: `${this.options.account.accountUrl()}/portins/${record.id}` });
  }

  /** GET portins/{id}: each GET may move the order a step (see the class comment). */
  fetch(id: string): EmulatorResponse {
    const record = this.records.get(id);
    if (!record) return lnpErrors(404, [{ code: "7200", description: "The order ID was not found" }], id);
    this.#advance(record);
    return xml(200, buildXml(describePortIn(record, this.options.account.accountId)));
  }

  /**
   * PUT portins/{id} with <LnpOrderSupp>: the changed order is validated like a new one, and its TNs must stay with
   * the same losing carrier (7495); WirelessInfo needs both AccountNumber and PinNumber. Accepted: REQUESTED_SUPP.
   */
  supp(request: EmulatorRequest, id: string): EmulatorResponse {
    const record = this.records.get(id);
    if (!record) return lnpErrors(400, [{ code: "7480", description: "Cannot SUPP or CANCEL a non existent order" }], id);
    const locked = lockedError(record.status);
    if (locked) return lnpErrors(400, [locked], id);
    const supp = xmlRoot(request.body, "LnpOrderSupp");
    if (!supp) return lnpErrors(400, [{ code: "7598", description: "Invalid Request" }], id);
    const errors: BandwidthError[] = [];
    const wireless = childObject(supp, "WirelessInfo");
    if (wireless && !childText(wireless, "AccountNumber")) errors.push({ code: "7114", description: "The account number is required" });
    if (wireless && !childText(wireless, "PinNumber")) errors.push({ code: "7117", description: "The personal identification number (PIN) is required" });
    if (childText(supp, "ProcessingStatus") !== undefined) errors.push({ code: "7702", description: "Order is not in 'DRAFT' state" });
    const draft = applySupp(record.draft, supp);
    if (draft.phoneNumbers.some((tn) => losingCarrierOf(tn).spid !== record.losingCarrierSpid)) {
      errors.push({ code: "7495", description: "Unable to change the TNs on this port. Please ensure that the new TNs are from the same losing carrier as the current TNs." });
    }
    if (errors.length > 0) return lnpErrors(400, errors, id);
    const result = validatePortIn(draft, this.#context(id));
    if ("errors" in result) return lnpErrors(400, result.errors, id);
    record.draft = result.accepted.draft;
    record.focDate = result.accepted.focDate;
    record.error = undefined;
    this.#changeStatus(record, "REQUESTED_SUPP", this.options.apiUser);
    return xml(200, buildXml({
      LnpOrderResponse: {
        OrderId: record.id,
        Status: LNP_STATUS.supp,
        ProcessingStatus: record.status,
        RequestedFocDate: record.draft.requestedFocDate,
        BillingTelephoneNumber: record.draft.billingTelephoneNumber,
        NewBillingTelephoneNumber: record.draft.newBillingTelephoneNumber,
        Triggered: "false",
      },
    }));
  }

  /** DELETE portins/{id}: REQUESTED_CANCEL (CANCELLED on a later GET); refused from FOC on and for closed orders. */
  cancel(id: string): EmulatorResponse {
    const record = this.records.get(id);
    if (!record) return lnpErrors(400, [{ code: "7480", description: "Cannot SUPP or CANCEL a non existent order" }], id);
    const locked = lockedError(record.status);
    if (locked) return lnpErrors(400, [locked], id);
    this.#changeStatus(record, "REQUESTED_CANCEL", this.options.apiUser);
    return { status: 200, body: "" };
  }

  /** GET portins/{id}/history; the spec's 404 has no body. */
  history(id: string): EmulatorResponse {
    const record = this.records.get(id);
    return record ? xml(200, historyXml(record)) : { status: 404, body: "" };
  }

  /** POST portins/{id}/loas: an LOA submits a port-in waiting for documents. */
  upload(request: EmulatorRequest, id: string): EmulatorResponse {
    const record = this.records.get(id);
    if (!record) return lnpErrors(404, [{ code: "7200", description: "The order ID was not found" }], id);
    const locked = record.status === "COMPLETE" || record.status === "CANCELLED" ? lockedError(record.status) : undefined;
    if (locked) return lnpErrors(400, [locked], id);
    const answer = uploadDocument(request, record, this.options.now(), this.options.account.accountUrl());
    if (answer.stored?.documentType === "LOA" && record.status === "PENDING_DOCUMENTS") this.#changeStatus(record, "SUBMITTED", this.options.apiUser);
    return answer.response;
  }

  documents(request: EmulatorRequest, id: string): EmulatorResponse {
    const record = this.records.get(id);
    if (!record) return lnpErrors(404, [{ code: "7200", description: "The order ID was not found" }], id);
    return listDocuments(request, record);
  }

  list(request: EmulatorRequest): EmulatorResponse {
    return listPortIns(request.query, [...this.records.values()], this.options.account);
  }

  #advance(record: EmulatedPortIn): void {
    if (!["SUBMITTED", "FOC", "REQUESTED_SUPP", "REQUESTED_CANCEL"].includes(record.status)) return;
    record.polls += 1;
    if (record.polls <= this.options.pollsBeforeFinal()) return;
    switch (record.status) {
      case "REQUESTED_SUPP":
        this.#changeStatus(record, record.documents.some((document) => document.documentType === "LOA") ? "SUBMITTED" : "PENDING_DOCUMENTS", "System");
        return;
      case "SUBMITTED": {
        const pin = losingCarrierBySpid(record.losingCarrierSpid)?.pin;
        if (pin !== undefined && record.draft.wirelessInfo?.pinNumber !== pin) {
          record.error = WRONG_PIN;
          this.#changeStatus(record, "EXCEPTION", "System");
        } else {
          this.#changeStatus(record, "FOC", "System");
        }
        return;
      }
      case "FOC":
        if (this.options.now() < Date.parse(record.focDate)) return;
        for (const tn of record.draft.phoneNumbers) this.options.owned.add(tn);
        this.#changeStatus(record, "COMPLETE", "System");
        return;
      case "REQUESTED_CANCEL":
        this.#changeStatus(record, "CANCELLED", "System");
        return;
      default:
        return;
    }
  }

  #changeStatus(record: EmulatedPortIn, status: PortInStatus, author: string): void {
    const at = this.#timestamp();
    const note = status === "EXCEPTION" && record.error ? `${record.error.code}: ${record.error.description}` : NOTES[status];
    record.status = status;
    record.polls = 0;
    record.lastModifiedAt = at;
    record.lastModifiedBy = author;
    record.history.push({ at, status, note, author });
    this.#notifier.notify({
      orderId: record.id,
      customerOrderId: record.draft.customerOrderId,
      status,
      message: note,
      lastModifiedDate: at,
      actualFocDate: status === "FOC" || status === "COMPLETE" ? record.focDate : undefined,
      completedTelephoneNumbers: status === "COMPLETE" ? record.draft.phoneNumbers : undefined,
    });
  }

  #facts(): PortabilityFacts {
    return { inService: this.options.owned, isInInventory: (tn) => this.options.isInInventory(tn) };
  }

  #context(exceptOrderId?: string): PortInContext {
    return {
      account: this.options.account,
      facts: this.#facts(),
      now: () => this.options.now(),
      requestNow: () => this.options.requestNow(),
      onOtherOpenPortIn: (tn) => this.isOnOpenPortIn(tn, exceptOrderId),
    };
  }

  #timestamp(): string {
    return new Date(this.options.now()).toISOString();
  }
}

/** Why a port-in can no longer be supped or cancelled, in Bandwidth's codes; undefined while it still can. */
function lockedError(status: PortInStatus): BandwidthError | undefined {
  switch (status) {
    case "FOC":
      return { code: "7301", description: "The order cannot be modified or cancelled because the pending FOC date is too soon" };
    case "COMPLETE":
      return { code: "7304", description: "The order is already complete and cannot be modified or cancelled" };
    case "CANCELLED":
      return { code: "7303", description: "The order is already cancelled and cannot be modified or cancelled" };
    case "REQUESTED_CANCEL":
      return { code: "7353", description: "The order cannot be modified because it is in requested cancel status" };
    default:
      return undefined;
  }
}
