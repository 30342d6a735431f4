import { randomUUID } from "node:crypto";
import type { EmulatorRequest, EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { xml } from "../emulator-kit/carrier-emulator.js";
import { buildXml, childObject, childText } from "../kit/xml.js";
import {
  advanceOnPoll,
  errorListResponse,
  finalStatusOf,
  isFinal,
  telephoneNumbersOf,
  xmlRoot,
  type AsyncProgress,
  type BandwidthEmulatedAccount,
} from "./bandwidth-emulator-common.js";

/** A disconnect order as the emulated back office holds it. */
export interface EmulatedDisconnect extends AsyncProgress {
  readonly id: string;
  readonly customerOrderId: string | undefined;
  readonly requested: readonly string[];
  /** TNs Bandwidth will not disconnect, with the error it reports for each once the order is final. */
  readonly refused: ReadonlyMap<string, { readonly code: string; readonly description: string }>;
  readonly createdAt: string;
}

const ROOT = "DisconnectTelephoneNumberOrderResponse";

/**
 * Disconnect orders (POST/GET disconnects): accepted as RECEIVED, final after polls like new-number orders.
 * The TNs stay in service (owned) until the disconnect completes.
 */
export class BandwidthDisconnects {
  readonly records = new Map<string, EmulatedDisconnect>();
  /** TNs whose disconnect Bandwidth refuses (a test control): their disconnect orders end FAILED or PARTIAL. */
  readonly refusing = new Set<string>();

  constructor(
    private readonly owned: Set<string>,
    private readonly account: BandwidthEmulatedAccount,
    private readonly pollsBeforeFinal: () => number,
  ) {}

  /** POST disconnects: a TN not in service on the account is refused at once (5076). */
  place(request: EmulatorRequest): EmulatorResponse {
    const disconnectOrder = xmlRoot(request.body, "DisconnectTelephoneNumberOrder");
    const tns = telephoneNumbersOf(childObject(childObject(disconnectOrder, "DisconnectTelephoneNumberOrderType"), "TelephoneNumberList"));
    if (tns.length === 0) return errorListResponse(400, ROOT, "5073", "Telephone number is required.");
    const notOwned = tns.find((tn) => !this.owned.has(tn));
    if (notOwned !== undefined) return errorListResponse(400, ROOT, "5076", `Telephone number ${notOwned} does not belong to this account.`);
    const refused = new Map<string, { code: string; description: string }>();
    for (const tn of tns) {
      // A TN already on an open disconnect order, or one a test made refuse, is not disconnected by this order.
      if (this.refusing.has(tn) || this.#onOpenDisconnect(tn)) refused.set(tn, { code: "5006", description: "TelephoneNumber Disconnect Error" });
    }
    const createdAt = new Date().toISOString();
    const record: EmulatedDisconnect = {
      id: randomUUID(),
      customerOrderId: childText(disconnectOrder, "CustomerOrderId"),
      requested: tns,
      refused,
      status: "RECEIVED",
      polls: 0,
      createdAt,
      lastModifiedAt: createdAt,
    };
    this.records.set(record.id, record);
    return xml(201, buildXml({ [ROOT]: { orderRequest: describeRequest(record), OrderStatus: "RECEIVED" } }), {
      location: `${this.account.accountUrl()}/disconnects/${record.id}`,
    });
  }

  /** GET disconnects/{id}: each GET moves the order along; the TNs leave the account when it completes. */
  fetch(id: string): EmulatorResponse {
    const record = this.records.get(id);
    if (!record) return errorListResponse(404, ROOT, "5035", `disconnect order ${id} not found.`);
    this.#advance(record, this.pollsBeforeFinal());
    const final = isFinal(record.status);
    const errors = [...record.refused].map(([tn, error]) => ({ Code: error.code, Description: error.description, TelephoneNumber: tn }));
    return xml(200, buildXml({
      [ROOT]: {
        ...(final ? { DisconnectedTelephoneNumberList: { TelephoneNumber: disconnectedBy(record) } } : {}),
        ...(final && errors.length > 0 ? { ErrorList: { Error: errors } } : {}),
        orderRequest: describeRequest(record),
        OrderStatus: record.status,
      },
    }));
  }

  /** Ends every disconnect still in process (see BandwidthNumberState.completeOpenOrders). */
  completeOpen(): void {
    for (const record of this.records.values()) this.#advance(record, 0);
  }

  #advance(record: EmulatedDisconnect, pollsBeforeFinal: number): void {
    const ended = advanceOnPoll(record, pollsBeforeFinal, () => finalStatusOf(disconnectedBy(record).length, record.requested.length));
    if (ended) for (const tn of disconnectedBy(record)) this.owned.delete(tn);
  }

  #onOpenDisconnect(tn: string): boolean {
    for (const record of this.records.values()) if (!isFinal(record.status) && record.requested.includes(tn) && !record.refused.has(tn)) return true;
    return false;
  }
}

function disconnectedBy(record: EmulatedDisconnect): string[] {
  return record.requested.filter((tn) => !record.refused.has(tn));
}

function describeRequest(record: EmulatedDisconnect): Record<string, unknown> {
  return {
    CustomerOrderId: record.customerOrderId,
    id: record.id,
    OrderCreateDate: record.createdAt,
    DisconnectTelephoneNumberOrderType: { DisconnectMode: "normal", TelephoneNumberList: { TelephoneNumber: [...record.requested] } },
  };
}
