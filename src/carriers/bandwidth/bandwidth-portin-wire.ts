import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortInAddress, CarrierPortInRequest, CarrierPortInState, CarrierPortInStatus, PortInDocumentKind } from "../../domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import { asArray, childObject, childText } from "../kit/xml.js";

/**
 * Bandwidth's port-in XML (bandwidth.md "Port-in"; numbers_v1 LnpOrder, LnpOrderSupp, LnpOrderResponse,
 * LNPResponseWrapper): the bodies numbergate sends and the few elements of the answers it reads.
 */

/** Bandwidth's ProcessingStatus words in numbergate's port-in states. */
export function bandwidthPortInState(processingStatus: string): CarrierPortInState {
  switch (processingStatus) {
    case "DRAFT":
    case "PENDING_DOCUMENTS":
      return "awaiting_documents";
    case "SUBMITTED":
    case "REQUESTED_SUPP":
      return "submitted";
    // Bandwidth has been asked to cancel but has not yet; it is not final until CANCELLED (and the losing carrier may
    // still act), so the port stays an open, submitted one.
    case "REQUESTED_CANCEL":
      return "submitted";
    case "FOC":
      return "foc_scheduled";
    case "EXCEPTION":
    // Toll-free port-ins whose numbers the RespOrg vendor refused need correcting, as an EXCEPTION does.
    case "INVALID_TFNS":
    case "INVALID_DRAFT_TFNS":
      return "action_required";
    case "CANCELLED":
      return "cancelled";
    case "COMPLETE":
      return "completed";
    default:
      // Words Bandwidth may add (toll-free validation states VALIDATE_TFNS, VALID_TFNS, ...): known to be open, nothing more.
      return "pending";
  }
}

/** The document types POST portins/{id}/loas takes (LOA, INVOICE, CSR, OTHER), from numbergate's kinds. */
export function bandwidthDocumentType(kind: PortInDocumentKind): "LOA" | "INVOICE" | "OTHER" {
  switch (kind) {
    case "letter_of_authorization":
      return "LOA";
    case "bill_copy":
      return "INVOICE";
    case "other":
      return "OTHER";
  }
}

function invalidRequest(operation: string, message: string): CarrierError {
  return new CarrierError({ kind: "invalid_request", carrierId: "bandwidth", operation, message, requestMayHaveReachedCarrier: false });
}

/** The 10-digit TNs of a port-in; Bandwidth ports NANP (+1) numbers only. */
export function bandwidthPortInTns(numbers: readonly ParsedPhoneNumber[], operation: string): string[] {
  if (numbers.length === 0) throw invalidRequest(operation, "a Bandwidth port-in needs at least one number");
  return numbers.map((number) => {
    if (number.callingCode !== "1" || !/^[0-9]{10}$/.test(number.nationalNumber)) {
      throw invalidRequest(operation, `Bandwidth ports NANP (+1) numbers only, not ${number.e164}`);
    }
    return number.nationalNumber;
  });
}

/**
 * The ServiceAddress elements: the first address line is "<house number> <street>" (Bandwidth requires both, 7108 and
 * 7109), further lines are AddressLine2 (unit, suite, floor), a ZIP+4 is split into Zip and PlusFour. Country is left
 * out: Bandwidth derives it from StateCode.
 */
export function bandwidthServiceAddress(address: CarrierPortInAddress, operation: string): Record<string, string> {
  const [first = "", ...rest] = address.addressLines.map((line) => line.trim()).filter((line) => line !== "");
  const street = /^([0-9][0-9A-Za-z/-]*)\s+(.+)$/.exec(first);
  if (!street?.[1] || !street[2]) throw invalidRequest(operation, "Bandwidth needs the service address's first line as a house number and a street name");
  const zip = /^([0-9]{5})(?:-?([0-9]{4}))?$/.exec(address.postalCode.trim());
  if (!zip?.[1]) throw invalidRequest(operation, "Bandwidth needs a 5-digit ZIP code (or ZIP+4) in the service address");
  return {
    HouseNumber: street[1],
    StreetName: street[2],
    ...(rest.length > 0 ? { AddressLine2: rest.join(", ") } : {}),
    City: address.locality,
    StateCode: address.administrativeArea,
    Zip: zip[1],
    ...(zip[2] ? { PlusFour: zip[2] } : {}),
  };
}

/**
 * The Subscriber. numbergate knows only the authorizing person's name, so the subscriber is RESIDENTIAL with that
 * name: the last word is LastName, the rest FirstName (Bandwidth requires both for a residential subscriber).
 */
export function bandwidthSubscriber(request: CarrierPortInRequest, operation: string): Record<string, unknown> {
  const words = request.authorizedName.trim().split(/\s+/).filter((word) => word !== "");
  const lastName = words.at(-1);
  if (words.length < 2 || lastName === undefined) throw invalidRequest(operation, "Bandwidth needs the authorized person's first and last name");
  return {
    SubscriberType: "RESIDENTIAL",
    FirstName: words.slice(0, -1).join(" "),
    LastName: lastName,
    ServiceAddress: bandwidthServiceAddress(request.serviceAddress, operation),
  };
}

/** WirelessInfo, revealed here and only here: the wire is the one place the account number and PIN go. */
function wirelessInfo(request: CarrierPortInRequest): Record<string, string> | undefined {
  if (request.accountNumber === undefined && request.pin === undefined) return undefined;
  return {
    ...(request.accountNumber ? { AccountNumber: request.accountNumber.reveal() } : {}),
    ...(request.pin ? { PinNumber: request.pin.reveal() } : {}),
  };
}

export interface BandwidthPortInSite {
  readonly siteId: string;
  readonly peerId: string | undefined;
}

/** <LnpOrder> of POST portins: numbergate's reference as CustomerOrderId, the first number as the BTN. */
export function bandwidthLnpOrder(request: CarrierPortInRequest, site: BandwidthPortInSite, operation: string): Record<string, unknown> {
  const tns = bandwidthPortInTns(request.numbers, operation);
  const wireless = wirelessInfo(request);
  return {
    LnpOrder: {
      CustomerOrderId: request.orderReference,
      SiteId: site.siteId,
      ...(site.peerId ? { PeerId: site.peerId } : {}),
      BillingTelephoneNumber: tns[0],
      Subscriber: bandwidthSubscriber(request, operation),
      LoaAuthorizingPerson: request.authorizedName.trim(),
      ListOfPhoneNumbers: { PhoneNumber: tns },
      ...(request.requestedPortDate ? { RequestedFocDate: request.requestedPortDate.toISOString() } : {}),
      ...(wireless ? { WirelessInfo: wireless } : {}),
    },
  };
}

/**
 * <LnpOrderSupp> of PUT portins/{id}: the corrected order. CustomerOrderId is sent again ("removed from the order if
 * not provided in the PUT payload"), the address replaces the old one (ResetAddressFields), and WirelessInfo carries
 * what is known (the spec wants both AccountNumber and PinNumber in a supp; Bandwidth names the missing one).
 */
export function bandwidthLnpOrderSupp(request: CarrierPortInRequest, operation: string): Record<string, unknown> {
  const tns = bandwidthPortInTns(request.numbers, operation);
  const subscriber = bandwidthSubscriber(request, operation);
  const address = bandwidthServiceAddress(request.serviceAddress, operation);
  const wireless = wirelessInfo(request);
  return {
    LnpOrderSupp: {
      CustomerOrderId: request.orderReference,
      ...(request.requestedPortDate ? { RequestedFocDate: request.requestedPortDate.toISOString() } : {}),
      BillingTelephoneNumber: tns[0],
      ...(wireless ? { WirelessInfo: wireless } : {}),
      Subscriber: { ...subscriber, ServiceAddress: { ResetAddressFields: "true", ...address } },
      ListOfPhoneNumbers: { PhoneNumber: tns },
      LoaAuthorizingPerson: request.authorizedName.trim(),
    },
  };
}

/** Every repeated <Errors> of an answer, as "code: description". */
export function bandwidthPortInErrors(root: Record<string, unknown>): string[] {
  return asArray(root["Errors"]).flatMap((error) => {
    const code = childText(error, "Code");
    if (code === undefined) return [];
    const description = childText(error, "Description");
    return [description ? `${code}: ${description}` : code];
  });
}

function dateOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/**
 * <LnpOrderResponse> (POST, GET and PUT answers) as a status. The GET of a cancelled order may lack OrderId (the
 * spec's example), so the id asked for wins. The FOC date is ActualFocDate, or, once FOC is reached, the requested one;
 * statusTime is LastModifiedDate when the answer has one (POST and PUT answers do not).
 */
export function readBandwidthPortIn(root: Record<string, unknown>, knownOrderId: string | undefined): CarrierPortInStatus | undefined {
  const carrierOrderId = knownOrderId ?? childText(root, "OrderId");
  const processingStatus = childText(root, "ProcessingStatus");
  if (carrierOrderId === undefined || processingStatus === undefined) return undefined;
  const state = bandwidthPortInState(processingStatus);
  const committed = state === "foc_scheduled" || state === "completed";
  return {
    carrierOrderId,
    state,
    focDate: dateOf(childText(root, "ActualFocDate")) ?? (committed ? dateOf(childText(root, "RequestedFocDate")) : undefined),
    carrierStatus: processingStatus,
    detail: bandwidthPortInErrors(root).join("; "),
    statusTime: dateOf(childText(root, "LastModifiedDate")),
  };
}

/** One entry of GET portins (<lnpPortInfoForGivenStatus>). */
export interface BandwidthPortInListEntry {
  readonly orderId: string;
  /** Absent in the spec's list example; present when the port-in has one. */
  readonly customerOrderId: string | undefined;
  readonly processingStatus: string | undefined;
  readonly lastModified: string | undefined;
}

export function readBandwidthPortInList(root: Record<string, unknown>): { entries: BandwidthPortInListEntry[]; nextLink: string | undefined } {
  const entries = asArray(root["lnpPortInfoForGivenStatus"]).flatMap((entry) => {
    const orderId = childText(entry, "OrderId");
    if (orderId === undefined) return [];
    return [{ orderId, customerOrderId: childText(entry, "CustomerOrderId"), processingStatus: childText(entry, "ProcessingStatus"), lastModified: childText(entry, "lastModifiedDate") }];
  });
  return { entries, nextLink: childText(childObject(root, "Links"), "next") };
}
