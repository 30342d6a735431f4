import { randomBytes } from "node:crypto";
import { json, type EmulatorRequest, type EmulatorResponse, type EmulatorRoute } from "../emulator-kit/carrier-emulator.js";
import { TWILIO_INVALID_PARAMETER, twilioErrorResponse } from "./twilio-emulator-common.js";
import { portabilityOf, portabilityResource, type PortabilityContext } from "./twilio-emulator-portability.js";
import { parsePortInCreate } from "./twilio-emulator-porting-create.js";
import { listPortInRequests } from "./twilio-emulator-porting-list.js";
import {
  isActive,
  PORT_IN_NUMBER_STATUS as NUMBER,
  PORT_IN_REQUEST_STATUS as REQUEST,
  requestStatusOf,
  type PortingSavedState,
  type PortInNumberRecord,
  type PortInNumberStatus,
  type PortInRequestRecord,
  type PortInRequestStatus,
} from "./twilio-emulator-porting-model.js";
import { PortingWebhooks } from "./twilio-emulator-porting-webhooks.js";
import { NUMBERS_ORIGIN, numberEventPayload, portInPhoneNumberResource, portInResource, requestEventPayload } from "./twilio-emulator-porting-views.js";

export interface TwilioPortingOptions {
  readonly accountSid: string;
  /** Signs the porting webhooks. */
  readonly authToken: string;
  /** The porting clock: the walk's steps, timestamps and when a port date has come. */
  readonly now: () => number;
  /** The clock a requested target_port_in_date is judged on (at least 7 days ahead); the walk still runs on `now`. */
  readonly requestNow: () => number;
  /** How long each step of the walk takes (review, signature, losing carrier's answer, port date), ms. */
  readonly stepMs: number;
  /** What portability needs to know of the rest of the account and of Twilio's stock. */
  readonly isOwned: (e164: string) => boolean;
  readonly inTwilioStock: (e164: string) => boolean;
  /** Puts a ported number on the account as an IncomingPhoneNumber. */
  readonly addOwned: (e164: string) => void;
}

/**
 * The emulator's wrong-PIN rule: the losing carrier refuses a number whose PIN is "0000". Twilio's PortIn resource has
 * no update operation, so a rejected number is corrected with a new PortIn request carrying the right PIN (a rejected
 * number is settled and no longer counts as a port in progress); the old request stays Action Required until its
 * rejected number is canceled (DELETE of the number), which settles it as Canceled or Completed.
 */
const WRONG_PIN = "0000";
const WRONG_PIN_REASON = "PIN/Passcode does not match the losing carrier's records";

const NUMBER_EVENTS: Partial<Record<PortInNumberStatus, string>> = {
  "Waiting for Signature": "PortInPhoneNumberWaitingForSignature",
  Submitted: "PortInPhoneNumberSubmitted",
  Pending: "PortInPhoneNumberPending",
  Completed: "PortInPhoneNumberCompleted",
  Rejected: "PortInPhoneNumberRejected",
  Canceled: "PortInPhoneNumberCanceled",
};
const REQUEST_EVENTS: Partial<Record<PortInRequestStatus, string>> = {
  "Waiting for Signature": "PortInWaitingForSignature",
  "In progress": "PortInInProgress",
  "Action Required": "PortInActionRequired",
  Completed: "PortInCompleted",
  Canceled: "PortInCanceled",
};

const SID = "[0-9a-fA-F]{32}";
const NOT_FOUND = (): EmulatorResponse => twilioErrorResponse(404, 20404, "The requested resource was not found");

/**
 * Twilio's porting API (Numbers v1, twilio.md "Porting") on the emulator's origin. Each number walks
 * In Review -> Waiting for Signature -> Submitted -> Pending (port date set) -> Completed, one `stepMs` per step on the
 * injected clock (Pending lasts until the port date: the target date asked for, if later), or Submitted -> Rejected for
 * a wrong PIN. The walk is caught up on every request the emulator serves (see `advance`), so its webhooks go out then.
 */
export class TwilioPorting {
  /** Every port-in request, by SID, oldest first. */
  readonly requests = new Map<string, PortInRequestRecord>();
  readonly webhooks: PortingWebhooks;
  readonly routes: readonly EmulatorRoute[];
  readonly #options: TwilioPortingOptions;
  #nextSupportTicketId = 100_001;

  constructor(options: TwilioPortingOptions) {
    this.#options = options;
    this.webhooks = new PortingWebhooks(options.authToken, options.now);
    this.routes = [
      { method: "GET", pattern: /^\/v1\/Porting\/Portability\/PhoneNumber\/([^/]+)$/, handle: (request, match) => this.#portability(request, match[1] ?? "") },
      { method: "POST", pattern: /^\/v1\/Porting\/PortIn$/, handle: (request) => this.#create(request) },
      { method: "GET", pattern: /^\/v1\/Porting\/PortIn\/PortInRequests$/, handle: (request) => listPortInRequests(request.query, [...this.requests.values()]) },
      { method: "GET", pattern: new RegExp(`^/v1/Porting/PortIn/(KW${SID})$`), handle: (_request, match) => this.#fetch(match[1] ?? "") },
      { method: "DELETE", pattern: new RegExp(`^/v1/Porting/PortIn/(KW${SID})$`), handle: (_request, match) => this.#cancelRequest(match[1] ?? "") },
      { method: "GET", pattern: new RegExp(`^/v1/Porting/PortIn/(KW${SID})/PhoneNumber/(PU${SID})$`), handle: (_request, match) => this.#fetchNumber(match[1] ?? "", match[2] ?? "") },
      { method: "DELETE", pattern: new RegExp(`^/v1/Porting/PortIn/(KW${SID})/PhoneNumber/(PU${SID})$`), handle: (_request, match) => this.#cancelNumber(match[1] ?? "", match[2] ?? "") },
      { method: "POST", pattern: /^\/v1\/Porting\/Configuration\/Webhook$/, handle: (request) => this.webhooks.create(request.body) },
      { method: "GET", pattern: /^\/v1\/Porting\/Configuration\/Webhook$/, handle: () => this.webhooks.fetch() },
      { method: "DELETE", pattern: /^\/v1\/Porting\/Configuration\/Webhook\/([^/]+)$/, handle: (_request, match) => this.webhooks.remove(match[1] ?? "") },
    ];
  }

  /** Whether a number is in a port-in request that is still moving. */
  inActivePort(e164: string): boolean {
    return [...this.requests.values()].some((request) => request.numbers.some((number) => number.phoneNumber === e164 && isActive(number)));
  }

  /** Takes every number through the steps that are due on the clock, in order, sending the events of each. */
  advance(): void {
    const now = this.#options.now();
    for (const request of this.requests.values()) {
      for (;;) {
        const due = request.numbers
          .filter(isActive)
          .map((number) => ({ number, at: number.status === NUMBER.pending ? (number.portDate ?? number.statusSince) : number.statusSince + this.#options.stepMs }))
          .filter((step) => step.at <= now)
          .sort((left, right) => left.at - right.at)[0];
        if (due === undefined) break;
        this.#step(request, due.number, due.at);
      }
    }
  }

  save(): PortingSavedState {
    return { requests: [...this.requests.values()], webhook: this.webhooks.configuration, nextSupportTicketId: this.#nextSupportTicketId };
  }

  restore(state: PortingSavedState | undefined): void {
    this.requests.clear();
    for (const request of state?.requests ?? []) this.requests.set(request.sid, request);
    this.webhooks.configuration = state?.webhook ?? null;
    this.#nextSupportTicketId = state?.nextSupportTicketId ?? 100_001;
  }

  #step(request: PortInRequestRecord, number: PortInNumberRecord, at: number): void {
    switch (number.status) {
      case NUMBER.inReview:
        this.#setNumber(request, number, NUMBER.waitingForSignature, at);
        return;
      case NUMBER.waitingForSignature:
        this.#setNumber(request, number, NUMBER.submitted, at);
        return;
      case NUMBER.submitted:
        if (number.pin === WRONG_PIN) {
          number.rejectionReason = WRONG_PIN_REASON;
          this.#setNumber(request, number, NUMBER.rejected, at);
        } else {
          // The losing carrier confirms the date asked for, or the earliest it can do.
          number.portDate = Math.max(request.targetPortTime ?? 0, at + this.#options.stepMs);
          this.#setNumber(request, number, NUMBER.pending, at);
        }
        return;
      case NUMBER.pending:
        this.#options.addOwned(number.phoneNumber);
        this.#setNumber(request, number, NUMBER.completed, at);
        return;
      default:
        return;
    }
  }

  #setNumber(request: PortInRequestRecord, number: PortInNumberRecord, status: PortInNumberStatus, at: number): void {
    number.status = status;
    number.statusSince = at;
    const numberEvent = NUMBER_EVENTS[status];
    if (numberEvent !== undefined) this.webhooks.notify(numberEvent, numberEventPayload(request, number));
    const requestStatus = requestStatusOf(request.numbers);
    if (requestStatus === request.status) return;
    request.status = requestStatus;
    request.statusSince = at;
    if (requestStatus === REQUEST.canceled && request.orderCancellationReason === null) request.orderCancellationReason = "Canceled by the customer";
    const requestEvent = REQUEST_EVENTS[requestStatus];
    if (requestEvent !== undefined) this.webhooks.notify(requestEvent, requestEventPayload(request));
  }

  #context(): PortabilityContext {
    return { inTargetAccount: (e164) => this.#options.isOwned(e164) || this.inActivePort(e164), inTwilioStock: this.#options.inTwilioStock };
  }

  #portability(request: EmulatorRequest, rawNumber: string): EmulatorResponse {
    let e164: string;
    try {
      e164 = decodeURIComponent(rawNumber);
    } catch {
      return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter PhoneNumber");
    }
    if (!/^\+[1-9][0-9]{6,14}$/.test(e164)) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter PhoneNumber: must be E.164");
    const target = request.query.get("TargetAccountSid");
    if (target !== null && !/^AC[0-9a-fA-F]{32}$/.test(target)) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter TargetAccountSid");
    // This account has no subaccounts: any other target is an account it cannot see.
    if (target !== null && target !== this.#options.accountSid) return NOT_FOUND();
    const addressSid = request.query.get("AddressSid");
    if (addressSid !== null && !/^AD[0-9a-fA-F]{32}$/.test(addressSid)) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter AddressSid");
    const portability = portabilityOf(e164, this.#context());
    return json(200, portabilityResource(e164, portability, this.#options.accountSid, `${NUMBERS_ORIGIN}/v1/Porting/Portability/PhoneNumber/${e164}`));
  }

  /** POST /v1/Porting/PortIn (application/json) -> 202 with the new request In review. */
  #create(request: EmulatorRequest): EmulatorResponse {
    const contentType = request.headers["content-type"];
    const mediaType = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "The request body must be application/json");
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "The request body is not valid JSON");
    }
    const now = this.#options.now();
    // The target date asked for is judged on the request clock; once accepted it is reached on the porting clock.
    const input = parsePortInCreate(body, this.#options.requestNow());
    if ("status" in input) return twilioErrorResponse(input.status, input.code, input.message);
    if (input.echoed.account_sid !== this.#options.accountSid) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, "Invalid parameter account_sid: not this account or one of its subaccounts");

    const numbers: PortInNumberRecord[] = [];
    for (const [index, wanted] of input.numbers.entries()) {
      if (this.inActivePort(wanted.phoneNumber)) return twilioErrorResponse(400, 22137, `Port is already in progress with one of your Twilio accounts: ${wanted.phoneNumber}`);
      const portability = portabilityOf(wanted.phoneNumber, this.#context());
      if (!portability.portable) {
        return twilioErrorResponse(400, portability.notPortableReasonCode ?? 22130, `${wanted.phoneNumber} cannot be ported: ${portability.notPortableReason ?? "UNSUPPORTED"}`);
      }
      if (portability.pinAndAccountNumberRequired && wanted.pin === null) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Missing required parameter phone_numbers[${index}].pin: ${wanted.phoneNumber} is a mobile number`);
      if (portability.pinAndAccountNumberRequired && !input.hasAccountNumber) {
        return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Missing required parameter losing_carrier_information.account_number: ${wanted.phoneNumber} is a mobile number`);
      }
      numbers.push({
        sid: `PU${randomBytes(16).toString("hex")}`,
        phoneNumber: wanted.phoneNumber,
        numberType: portability.numberType,
        pin: wanted.pin,
        status: NUMBER.inReview,
        statusSince: now,
        portDate: null,
        rejectionReason: null,
        dateCreated: now,
      });
    }
    const record: PortInRequestRecord = {
      sid: `KW${randomBytes(16).toString("hex")}`,
      accountSid: this.#options.accountSid,
      supportTicketId: this.#nextSupportTicketId,
      status: REQUEST.inReview,
      statusSince: now,
      dateCreated: now,
      orderCancellationReason: null,
      echoed: input.echoed,
      targetPortTime: input.targetPortTime,
      numbers,
    };
    this.#nextSupportTicketId += 1;
    this.requests.set(record.sid, record);
    return json(202, portInResource(record));
  }

  #fetch(sid: string): EmulatorResponse {
    const record = this.requests.get(sid);
    return record ? json(200, portInResource(record)) : NOT_FOUND();
  }

  #fetchNumber(requestSid: string, numberSid: string): EmulatorResponse {
    const record = this.requests.get(requestSid);
    const number = record?.numbers.find((candidate) => candidate.sid === numberSid);
    return record && number ? json(200, portInPhoneNumberResource(record, number)) : NOT_FOUND();
  }

  /**
   * Why a number can no longer be canceled, if it cannot: Twilio's help center says a port can be canceled "anytime
   * before the port date is scheduled", so a Pending number (port date confirmed) is past the cut-off, as are numbers
   * already completed or canceled.
   */
  #notCancelable(number: PortInNumberRecord): string | undefined {
    if (number.status === NUMBER.completed) return `${number.phoneNumber} has already been ported`;
    if (number.status === NUMBER.canceled) return `${number.phoneNumber} has already been canceled`;
    if (number.status === NUMBER.pending) return `${number.phoneNumber} has a scheduled port date and can no longer be canceled`;
    return undefined;
  }

  /** DELETE PortIn/{sid}: cancels every number, or none when one of them is past the cut-off (400). */
  #cancelRequest(sid: string): EmulatorResponse {
    const record = this.requests.get(sid);
    if (!record) return NOT_FOUND();
    if (record.status === REQUEST.canceled || record.status === REQUEST.completed) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Port in request ${sid} is ${record.status} and can no longer be canceled`);
    const blocked = record.numbers.filter((number) => number.status !== NUMBER.canceled).map((number) => this.#notCancelable(number)).find((reason) => reason !== undefined);
    if (blocked !== undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, `Port in request ${sid} can no longer be canceled: ${blocked}`);
    const now = this.#options.now();
    for (const number of record.numbers.filter((candidate) => candidate.status !== NUMBER.canceled)) this.#setNumber(record, number, NUMBER.canceled, now);
    return { status: 204 };
  }

  /** DELETE PortIn/{sid}/PhoneNumber/{sid}: cancels one number (400 past the cut-off). */
  #cancelNumber(requestSid: string, numberSid: string): EmulatorResponse {
    const record = this.requests.get(requestSid);
    const number = record?.numbers.find((candidate) => candidate.sid === numberSid);
    if (!record || !number) return NOT_FOUND();
    const blocked = this.#notCancelable(number);
    if (blocked !== undefined) return twilioErrorResponse(400, TWILIO_INVALID_PARAMETER, blocked);
    this.#setNumber(record, number, NUMBER.canceled, this.#options.now());
    return { status: 204 };
  }
}
