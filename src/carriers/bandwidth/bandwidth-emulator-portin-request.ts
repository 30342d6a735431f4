import { asArray, childObject, childText } from "../kit/xml.js";
import type { BandwidthEmulatedAccount } from "./bandwidth-emulator-common.js";
import { isNanpNumber, losingCarrierOf, portabilityOf, type LosingCarrier, type PortabilityFacts } from "./bandwidth-emulator-lnp.js";

/** The subscriber of a port-in, as sent (element texts). */
export interface PortInSubscriber {
  readonly subscriberType?: string;
  readonly businessName?: string;
  readonly firstName?: string;
  readonly middleInitial?: string;
  readonly lastName?: string;
  /** The <ServiceAddress> children that were sent (HouseNumber, StreetName, City, StateCode, Zip, County, ...). */
  readonly serviceAddress?: Readonly<Record<string, string>>;
}

/** What a port-in asks for: the <LnpOrder> elements the emulator acts on, updated by supps. */
export interface PortInDraft {
  readonly siteId?: string;
  readonly peerId?: string;
  readonly billingTelephoneNumber?: string;
  readonly newBillingTelephoneNumber?: string;
  readonly subscriber?: PortInSubscriber;
  readonly loaAuthorizingPerson?: string;
  readonly phoneNumbers: readonly string[];
  readonly wirelessInfo?: { readonly accountNumber?: string; readonly pinNumber?: string };
  readonly customerOrderId?: string;
  readonly requestedFocDate?: string;
  readonly partialPort?: string;
  readonly triggered?: string;
  readonly processingStatus?: string;
}

export interface BandwidthError {
  readonly code: string;
  readonly description: string;
}

export interface PortInContext {
  readonly account: BandwidthEmulatedAccount;
  readonly facts: PortabilityFacts;
  /** The porting clock: the default FOC date (none requested) is derived from it. */
  now(): number;
  /** The clock a requested FOC date is judged on (7208, 7317, 7210). */
  requestNow(): number;
  /** Whether the TN is on an open port-in other than the one being checked. */
  onOtherOpenPortIn(tn: string): boolean;
}

/** A draft that passed validation, with what Bandwidth derives from it. */
export interface AcceptedPortIn {
  readonly draft: PortInDraft;
  readonly carrier: LosingCarrier;
  /** The FOC date asked for, or the next one available: when the port completes. */
  readonly focDate: string;
}

const DAY_MS = 86_400_000;
/** The default activation time, 11:30 AM Eastern, written as 15:30Z (the emulator ignores daylight saving). */
const DEFAULT_ACTIVATION_UTC_HOUR = 15.5;

export function readLnpOrder(order: Record<string, unknown>): PortInDraft {
  return {
    siteId: childText(order, "SiteId"),
    peerId: childText(order, "PeerId"),
    billingTelephoneNumber: childText(order, "BillingTelephoneNumber"),
    newBillingTelephoneNumber: childText(order, "NewBillingTelephoneNumber"),
    subscriber: readSubscriber(childObject(order, "Subscriber")),
    loaAuthorizingPerson: childText(order, "LoaAuthorizingPerson"),
    phoneNumbers: phoneNumbersOf(order),
    wirelessInfo: readWirelessInfo(childObject(order, "WirelessInfo")),
    customerOrderId: childText(order, "CustomerOrderId"),
    requestedFocDate: childText(order, "RequestedFocDate"),
    partialPort: childText(order, "PartialPort"),
    triggered: childText(order, "Triggered"),
    processingStatus: childText(order, "ProcessingStatus"),
  };
}

/**
 * A supp (<LnpOrderSupp>) applied to a port-in: fields present replace the order's; CustomerOrderId is removed when
 * absent ("This field is removed from the order if not provided in the PUT payload"); the subscriber is merged
 * field by field. WirelessInfo must carry both AccountNumber and PinNumber (WirelessInfoSupp), checked by the caller.
 */
export function applySupp(current: PortInDraft, supp: Record<string, unknown>): PortInDraft {
  const subscriber = readSubscriber(childObject(supp, "Subscriber"));
  const phoneNumbers = phoneNumbersOf(supp);
  return {
    ...current,
    siteId: childText(supp, "SiteId") ?? current.siteId,
    peerId: childText(supp, "PeerId") ?? current.peerId,
    billingTelephoneNumber: childText(supp, "BillingTelephoneNumber") ?? current.billingTelephoneNumber,
    newBillingTelephoneNumber: childText(supp, "NewBillingTelephoneNumber") ?? current.newBillingTelephoneNumber,
    subscriber: subscriber ? mergeSubscriber(current.subscriber, subscriber) : current.subscriber,
    loaAuthorizingPerson: childText(supp, "LoaAuthorizingPerson") ?? current.loaAuthorizingPerson,
    phoneNumbers: phoneNumbers.length > 0 ? phoneNumbers : current.phoneNumbers,
    wirelessInfo: readWirelessInfo(childObject(supp, "WirelessInfo")) ?? current.wirelessInfo,
    customerOrderId: childText(supp, "CustomerOrderId"),
    requestedFocDate: childText(supp, "RequestedFocDate") ?? current.requestedFocDate,
    partialPort: childText(supp, "PartialPort") ?? current.partialPort,
  };
}

/** Every synchronous validation failure of a port-in, with the codes of Bandwidth's "LNP or /portins errors" table. */
export function validatePortIn(draft: PortInDraft, context: PortInContext): { accepted: AcceptedPortIn } | { errors: BandwidthError[] } {
  const errors: BandwidthError[] = [];
  const fail = (code: string, description: string) => errors.push({ code, description });
  if (draft.siteId !== context.account.siteId) fail("7309", "The site id was not supplied or is invalid.");
  if (draft.peerId === undefined) fail("7332", "PeerId is required");
  else if (draft.peerId !== context.account.peerId) fail("7312", "The sippeer id is invalid.");
  if (draft.customerOrderId !== undefined && !/^[0-9A-Za-z -]{1,40}$/.test(draft.customerOrderId)) {
    fail("7318", "Customer order ID is invalid. Only alphanumeric values, dashes and spaces are allowed. Max length is 40 characters.");
  }
  // Draft port-ins are not emulated: this account answers as one where no ProcessingStatus may be set on create.
  if (draft.processingStatus !== undefined) fail("7372", `ProcessingStatus '${draft.processingStatus}' is invalid. Valid values: none (draft port-ins are not enabled on this account)`);
  if (draft.triggered === "true") fail("7346", "Triggered/On Demand porting disabled.");
  if (draft.partialPort !== undefined && !["true", "false"].includes(draft.partialPort)) fail("7319", "Partial Port must be a valid boolean variation.");
  if (!draft.loaAuthorizingPerson) fail("7115", "The LOA authorizing person is required");
  else if (draft.loaAuthorizingPerson.length > 15) fail("7357", "The LOA authorizing person is too long. The LOA authorizing person should be not longer than 15 characters.");
  errors.push(...subscriberErrors(draft.subscriber));

  const btn = draft.billingTelephoneNumber;
  if (!btn) fail("7103", "The billing telephone number (BTN) is required");
  else if (!isNanpNumber(btn)) fail("7203", "The billing telephone number (BTN) is invalid");
  const newBtn = draft.newBillingTelephoneNumber;
  if (newBtn !== undefined) {
    if (!isNanpNumber(newBtn)) fail("7494", "NewBillingTelephoneNumber is not valid NANPA telephone number");
    else if (draft.phoneNumbers.includes(newBtn)) fail("7496", "NewBillingTelephoneNumber cannot be in the list of phone numbers being ported");
    else if (newBtn === btn) fail("7497", "NewBillingTelephoneNumber cannot be the same as the BillingTelephoneNumber");
  }
  const tnErrors = phoneNumberErrors(draft.phoneNumbers, context);
  errors.push(...tnErrors);
  if (errors.length > 0 || !btn) return { errors };

  // A port-in groups TNs of one losing carrier only, its BTN (and new BTN) included (7204).
  const carrier = losingCarrierOf(draft.phoneNumbers[0] ?? btn);
  const others = [...draft.phoneNumbers, btn, ...(newBtn === undefined ? [] : [newBtn])].filter((tn) => losingCarrierOf(tn).spid !== carrier.spid);
  if (others.length > 0) fail("7204", "All telephone numbers, including the billing telephone number (BTN) and new BTN when provided, must belong to the same carrier");
  if (carrier.wireless) {
    if (!draft.wirelessInfo) fail("7113", "Wireless information is required");
    else {
      if (!draft.wirelessInfo.accountNumber) fail("7114", "The account number is required");
      if (!draft.wirelessInfo.pinNumber) fail("7117", "The personal identification number (PIN) is required");
    }
  }
  const foc = focDateFor(draft.requestedFocDate, carrier, context.now(), context.requestNow());
  if ("code" in foc) errors.push(foc);
  if (errors.length > 0 || "code" in foc) return { errors };
  return { accepted: { draft, carrier, focDate: foc.focDate } };
}

function subscriberErrors(subscriber: PortInSubscriber | undefined): BandwidthError[] {
  if (!subscriber) return [{ code: "7104", description: "Subscriber information is required" }];
  const errors: BandwidthError[] = [];
  const type = subscriber.subscriberType;
  if (type !== "BUSINESS" && type !== "RESIDENTIAL") errors.push({ code: "7106", description: "The subscriber type is required" });
  if (type === "BUSINESS") {
    if (!subscriber.businessName) errors.push({ code: "7105", description: "The subscriber name is required" });
    else if (subscriber.businessName.length > 25) errors.push({ code: "7324", description: "The business name is too long. The business name should not be longer than 25 characters." });
  }
  if (type === "RESIDENTIAL") {
    if (subscriber.businessName) errors.push({ code: "7211", description: "A residential subscriber type may not have a business name" });
    if (!subscriber.firstName || !subscriber.lastName) errors.push({ code: "7105", description: "The subscriber name is required" });
    if ((subscriber.firstName?.length ?? 0) > 25) errors.push({ code: "7355", description: "First name is too long. First name should not be longer than 25 characters." });
    if ((subscriber.lastName?.length ?? 0) > 25) errors.push({ code: "7356", description: "Last name is too long. Last name should not be longer than 25 characters." });
    if ((subscriber.middleInitial?.length ?? 0) > 1) errors.push({ code: "7354", description: "Middle initial is too long. Middle initial should not be longer than 1 character." });
  }
  const address = subscriber.serviceAddress;
  if (!address) return [...errors, { code: "7107", description: "The service address is required" }];
  const required: [string, string, string][] = [
    ["HouseNumber", "7108", "The service address house number is required"],
    ["StreetName", "7109", "The service address street name is required"],
    ["City", "7110", "The service address city is required"],
    ["StateCode", "7111", "The service address state code is required"],
    ["Zip", "7112", "The service address zip code is required"],
  ];
  for (const [field, code, description] of required) if (!address[field]) errors.push({ code, description });
  const zip = address["Zip"];
  if (zip && !/^[0-9]{5}$/.test(zip)) errors.push({ code: "7214", description: "ZIP code is invalid" });
  return errors;
}

function phoneNumberErrors(tns: readonly string[], context: PortInContext): BandwidthError[] {
  if (tns.length === 0) return [{ code: "7101", description: "At least one number must be specified to port" }];
  if (new Set(tns).size !== tns.length) return [{ code: "7360", description: "Telephone number list can't contain duplicates." }];
  const errors: BandwidthError[] = [];
  for (const tn of tns) {
    const portability = portabilityOf(tn, context.facts);
    if (portability.kind === "invalid") errors.push({ code: "7201", description: `Telephone number ${tn} is invalid` });
    else if (portability.kind === "bandwidth" && portability.inService) errors.push({ code: "7206", description: `Telephone number ${tn} is already in service` });
    else if (portability.kind === "bandwidth") errors.push({ code: "7320", description: `BW owned TN - contact customer support: ${tn}` });
    else if (portability.kind !== "portable") errors.push({ code: "7331", description: `Rate Center Not Present in Bandwidth Dashboard for ${tn}` });
    else if (context.onOtherOpenPortIn(tn)) errors.push({ code: "7205", description: `Telephone number ${tn} is already being processed on another order` });
  }
  return errors;
}

/**
 * The FOC date: the requested one when it is an ISO 8601 date(-time) (7217), not in the past (7208), not on a weekend
 * (7315), no earlier than the losing carrier's minimum porting interval (7317) and within 30 days (7210); without one,
 * the first weekday after that interval at the default activation time. Holidays are not emulated. A requested
 * date is judged on `requestNow` (the time the request is made, as Bandwidth sees it), the default one is derived from
 * `now` (the porting clock the port-in walks on); both are the same clock unless told otherwise.
 */
export function focDateFor(
  requested: string | undefined,
  carrier: LosingCarrier,
  now: number,
  requestNow: number = now,
): { focDate: string } | BandwidthError {
  if (requested === undefined) {
    const earliestDefault = now + carrier.minimumPortingIntervalDays * DAY_MS;
    const day = new Date(Math.ceil(earliestDefault / DAY_MS) * DAY_MS + DEFAULT_ACTIVATION_UTC_HOUR * 3_600_000);
    while (isWeekend(day)) day.setTime(day.getTime() + DAY_MS);
    return { focDate: day.toISOString() };
  }
  const at = Date.parse(requested);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(requested) || Number.isNaN(at)) {
    return { code: "7217", description: "Requested FOC Date has invalid format" };
  }
  if (at <= requestNow) return { code: "7208", description: "The requested FOC date cannot be in the past" };
  if (isWeekend(new Date(at))) return { code: "7315", description: "The date is during a weekend or holiday." };
  if (at < requestNow + carrier.minimumPortingIntervalDays * DAY_MS) return { code: "7317", description: "Requested FOC date is before the next available FOC date." };
  if (at > requestNow + 30 * DAY_MS) return { code: "7210", description: "The requested FOC date is too far in the future. Date must be within 30 days" };
  return { focDate: new Date(at).toISOString() };
}

function isWeekend(date: Date): boolean {
  return date.getUTCDay() === 0 || date.getUTCDay() === 6;
}

function mergeSubscriber(current: PortInSubscriber | undefined, change: PortInSubscriber): PortInSubscriber {
  const sent = Object.fromEntries(Object.entries(change).filter((entry) => entry[1] !== undefined && entry[0] !== "serviceAddress"));
  // <ResetAddressFields>true</ResetAddressFields> replaces the whole address instead of the fields sent.
  const { ResetAddressFields: reset, ...address } = change.serviceAddress ?? {};
  return { ...current, ...sent, serviceAddress: reset === "true" ? address : { ...current?.serviceAddress, ...address } };
}

function readSubscriber(element: Record<string, unknown> | undefined): PortInSubscriber | undefined {
  if (!element) return undefined;
  const address = childObject(element, "ServiceAddress");
  return {
    subscriberType: childText(element, "SubscriberType"),
    businessName: childText(element, "BusinessName"),
    firstName: childText(element, "FirstName"),
    middleInitial: childText(element, "MiddleInitial"),
    lastName: childText(element, "LastName"),
    serviceAddress: address
      ? Object.fromEntries(Object.entries(address).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""))
      : undefined,
  };
}

function readWirelessInfo(element: Record<string, unknown> | undefined): PortInDraft["wirelessInfo"] {
  if (!element) return undefined;
  return { accountNumber: childText(element, "AccountNumber"), pinNumber: childText(element, "PinNumber") };
}

function phoneNumbersOf(element: Record<string, unknown>): string[] {
  return asArray(childObject(element, "ListOfPhoneNumbers")?.["PhoneNumber"]).filter((tn): tn is string => typeof tn === "string");
}
