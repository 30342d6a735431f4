import { xml, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { buildXml } from "../kit/xml.js";
import type { BandwidthError, PortInDraft, PortInSubscriber } from "./bandwidth-emulator-portin-request.js";
import type { EmulatedPortIn } from "./bandwidth-emulator-portins-state.js";
import { losingCarrierBySpid } from "./bandwidth-emulator-lnp.js";

// The XML of port-in answers, in the elements (and order) of the spec's LnpOrderResponse examples.

/** The <Status> descriptions of Bandwidth's LnpApiStatus table. */
export const LNP_STATUS = {
  created: { Code: "201", Description: "Order request received. Please use the order id to check the status of your order later." },
  supp: { Code: "200", Description: "Supp request received. Please use the order id to check the status of your order later." },
  invalid: { Code: "400", Description: "Validation Failed. Please check your input parameters." },
  notFound: { Code: "404", Description: "Order id not found." },
} as const;

/** A refusal: <LnpOrderResponse> with <Status>, repeated <Errors> and ProcessingStatus EXCEPTION (spec's 400 examples). */
export function lnpErrors(httpStatus: number, errors: readonly BandwidthError[], orderId?: string): EmulatorResponse {
  const status = httpStatus === 404 ? LNP_STATUS.notFound : { ...LNP_STATUS.invalid, Code: String(httpStatus) };
  return xml(httpStatus, buildXml({
    LnpOrderResponse: {
      OrderId: orderId,
      Status: status,
      Errors: errors.map((error) => ({ Code: error.code, Description: error.description })),
      ProcessingStatus: "EXCEPTION",
    },
  }));
}

export function subscriberXml(subscriber: PortInSubscriber | undefined): Record<string, unknown> | undefined {
  if (!subscriber) return undefined;
  return {
    SubscriberType: subscriber.subscriberType,
    BusinessName: subscriber.businessName,
    FirstName: subscriber.firstName,
    MiddleInitial: subscriber.middleInitial,
    LastName: subscriber.lastName,
    ServiceAddress: subscriber.serviceAddress ? { ...subscriber.serviceAddress, Country: "United States" } : undefined,
  };
}

/** The order's own fields, echoed in the 201 of POST portins and in GET portins/{id}. */
export function draftXml(draft: PortInDraft): Record<string, unknown> {
  return {
    RequestedFocDate: draft.requestedFocDate,
    CustomerOrderId: draft.customerOrderId,
    LoaAuthorizingPerson: draft.loaAuthorizingPerson,
    Subscriber: subscriberXml(draft.subscriber),
    WirelessInfo: draft.wirelessInfo ? { AccountNumber: draft.wirelessInfo.accountNumber, PinNumber: draft.wirelessInfo.pinNumber } : undefined,
    BillingTelephoneNumber: draft.billingTelephoneNumber,
    NewBillingTelephoneNumber: draft.newBillingTelephoneNumber,
    ListOfPhoneNumbers: { PhoneNumber: [...draft.phoneNumbers] },
  };
}

/** GET portins/{id}: the order with where it stands (the spec's "Port-in in CANCELLED state" example's elements). */
export function describePortIn(portIn: EmulatedPortIn, accountId: string): Record<string, unknown> {
  const carrier = losingCarrierBySpid(portIn.losingCarrierSpid);
  const focKnown = portIn.status === "FOC" || portIn.status === "COMPLETE";
  return {
    LnpOrderResponse: {
      OrderId: portIn.id,
      ...(portIn.status === "EXCEPTION" && portIn.error ? { Errors: { Code: portIn.error.code, Description: portIn.error.description } } : {}),
      ProcessingStatus: portIn.status,
      ...draftXml(portIn.draft),
      ...(focKnown ? { ActualFocDate: portIn.focDate } : {}),
      AccountId: accountId,
      SiteId: portIn.draft.siteId,
      PeerId: portIn.draft.peerId,
      LosingCarrierSPID: portIn.losingCarrierSpid,
      LosingCarrierName: carrier?.name,
      LosingCarrierIsWireless: String(carrier?.wireless ?? false),
      VendorName: "Bandwidth CLEC",
      OrderCreateDate: portIn.createdAt,
      LastModifiedDate: portIn.lastModifiedAt,
      userId: portIn.history[0]?.author,
      LastModifiedBy: portIn.lastModifiedBy,
      PartialPort: portIn.draft.partialPort ?? "false",
      Triggered: "false",
      PortType: "AUTOMATED",
    },
  };
}

/** One <lnpPortInfoForGivenStatus> of GET portins (the spec's list example's elements). */
export function listEntry(portIn: EmulatedPortIn, accountId: string): Record<string, unknown> {
  const carrier = losingCarrierBySpid(portIn.losingCarrierSpid);
  const focKnown = portIn.status === "FOC" || portIn.status === "COMPLETE";
  return {
    accountId,
    CountOfTNs: String(portIn.draft.phoneNumbers.length),
    CustomerOrderId: portIn.draft.customerOrderId,
    userId: portIn.history[0]?.author,
    lastModifiedDate: portIn.lastModifiedAt,
    OrderDate: portIn.createdAt,
    OrderId: portIn.id,
    OrderType: "port_in",
    ...(focKnown ? { ActualFOCDate: portIn.focDate } : {}),
    BillingTelephoneNumber: portIn.draft.billingTelephoneNumber,
    LNPLosingCarrierId: portIn.losingCarrierSpid,
    LNPLosingCarrierName: carrier?.name,
    ProcessingStatus: portIn.status,
    RequestedFOCDate: portIn.draft.requestedFocDate ?? portIn.focDate,
    VendorId: "49",
    VendorName: "Bandwidth CLEC",
    PON: portIn.id,
  };
}

/** GET portins/{id}/history: every status change, oldest first (OrderHistoryWrapper). */
export function historyXml(portIn: EmulatedPortIn): string {
  return buildXml({
    OrderHistoryWrapper: {
      OrderHistory: portIn.history.map((entry) => ({ OrderDate: entry.at, Note: entry.note, Author: entry.author, Status: entry.status })),
    },
  });
}
