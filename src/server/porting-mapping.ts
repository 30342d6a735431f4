import { PortingDocumentType, PortingOrderState, type PortingDocument, type PortingOrder } from "../../generated/numbergate/v1/porting.js";
import type { PortInDocumentKind } from "../domain/carrier-lifecycle.js";
import type { PortingState } from "../porting/porting-state.js";
import type { PortingOrderRecord } from "../store/porting-records.js";
import { toTimestamp } from "./provider-mapping.js";

export const PORTING_STATE_TO_PROTO: Readonly<Record<PortingState, PortingOrderState>> = {
  pending: PortingOrderState.PORTING_ORDER_STATE_PENDING,
  awaiting_documents: PortingOrderState.PORTING_ORDER_STATE_AWAITING_DOCUMENTS,
  submitted: PortingOrderState.PORTING_ORDER_STATE_SUBMITTED,
  foc_scheduled: PortingOrderState.PORTING_ORDER_STATE_FOC_SCHEDULED,
  action_required: PortingOrderState.PORTING_ORDER_STATE_ACTION_REQUIRED,
  completed: PortingOrderState.PORTING_ORDER_STATE_COMPLETED,
  cancelled: PortingOrderState.PORTING_ORDER_STATE_CANCELLED,
  failed: PortingOrderState.PORTING_ORDER_STATE_FAILED,
};

const DOCUMENT_TYPE_TO_PROTO: Readonly<Record<PortInDocumentKind, PortingDocumentType>> = {
  letter_of_authorization: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION,
  bill_copy: PortingDocumentType.PORTING_DOCUMENT_TYPE_BILL_COPY,
  other: PortingDocumentType.PORTING_DOCUMENT_TYPE_OTHER,
};

export function portingStateFromProto(state: PortingOrderState): PortingState | undefined {
  return (Object.keys(PORTING_STATE_TO_PROTO) as PortingState[]).find((candidate) => PORTING_STATE_TO_PROTO[candidate] === state);
}

/** The order as callers see it: never the PIN, the account number (its last four only) or the e-mail. */
export function portingOrderToProto(order: PortingOrderRecord): PortingOrder {
  return {
    portingOrderId: order.id,
    requestId: order.requestId,
    phoneNumbers: [...order.phoneNumbers],
    providerId: order.carrierId,
    currentProvider: order.currentProvider,
    authorizedName: order.authorizedName,
    serviceAddress: { ...order.serviceAddress, addressLines: [...order.serviceAddress.addressLines] },
    state: PORTING_STATE_TO_PROTO[order.state],
    carrierOrderId: order.carrierOrderId ?? "",
    focTime: toTimestamp(order.focAt),
    createTime: toTimestamp(order.createdAt),
    updateTime: toTimestamp(order.updatedAt),
    detail: order.detail,
    accountNumberLast4: order.accountNumberLast4,
    carrierStatus: order.carrierStatus,
    documents: documentsOf(order),
    transitions: order.transitions.map((transition) => ({
      fromState: PORTING_STATE_TO_PROTO[transition.fromState],
      toState: PORTING_STATE_TO_PROTO[transition.toState],
      time: toTimestamp(transition.at),
      source: transition.source,
      carrierStatus: transition.carrierStatus,
      detail: transition.detail,
    })),
  };
}

/** Documents attached, then those given by id with the create request (attached when the order was made). */
function documentsOf(order: PortingOrderRecord): PortingDocument[] {
  const attached = order.documents.map((document) => ({
    documentType: DOCUMENT_TYPE_TO_PROTO[document.kind],
    fileName: document.fileName,
    contentType: document.contentType,
    sizeBytes: document.sizeBytes,
    carrierDocumentId: document.carrierDocumentId ?? "",
    attachTime: toTimestamp(document.attachedAt),
  }));
  const attachedIds = new Set(order.documents.flatMap((document) => document.carrierDocumentId ?? []));
  const given = order.carrierDocuments
    .filter((document) => !attachedIds.has(document.carrierDocumentId))
    .map((document) => ({ documentType: DOCUMENT_TYPE_TO_PROTO[document.kind], fileName: "", contentType: "", sizeBytes: 0, carrierDocumentId: document.carrierDocumentId, attachTime: toTimestamp(order.createdAt) }));
  return [...given, ...attached];
}
