import type { PostalAddress } from "../../../generated/numbergate/v1/common.js";
import {
  PortingDocumentType,
  type AttachPortingDocumentRequest,
  type CreatePortingOrderRequest,
  type ResubmitPortingOrderRequest,
} from "../../../generated/numbergate/v1/porting.js";
import { Secret } from "../../config/secret.js";
import type { CarrierDocumentReference, CarrierPortInAddress, CarrierPortInDocument, PortInDocumentKind } from "../../domain/carrier-lifecycle.js";
import type { PortedNumber } from "../../porting/gaining-carrier.js";
import type { CreatePortInput } from "../../porting/porting-service.js";
import { checkLength, FieldViolations } from "./field-checks.js";
import { checkPhoneNumber, checkRequestId } from "./lifecycle-requests.js";

/** A port moves at most this many numbers (one losing carrier, one account, one service address). */
export const MAX_PORTED_NUMBERS = 100;
/** Documents travel inside one gRPC message (4 MiB): a letter of authorization or a bill copy fits easily. */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;
const MAX_PORT_AHEAD_MS = 365 * 86_400_000;

const PIN = /^[0-9A-Za-z]{4,15}$/;
const ACCOUNT_NUMBER = /^[0-9A-Za-z-]{1,30}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CARRIER_DOCUMENT_ID = /^[0-9A-Za-z_-]{1,100}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Postal code shapes of the countries whose carriers check them; elsewhere a postal code is only required. */
const POSTAL_CODES: Readonly<Record<string, { readonly pattern: RegExp; readonly example: string; readonly areaRequired: boolean }>> = {
  US: { pattern: /^\d{5}(-\d{4})?$/, example: "10001 or 10001-1234", areaRequired: true },
  CA: { pattern: /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/, example: "K1A 0B1", areaRequired: true },
  GB: { pattern: /^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, example: "SW1A 1AA", areaRequired: false },
};

const DOCUMENT_KINDS: Partial<Record<PortingDocumentType, PortInDocumentKind>> = {
  [PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION]: "letter_of_authorization",
  [PortingDocumentType.PORTING_DOCUMENT_TYPE_BILL_COPY]: "bill_copy",
  [PortingDocumentType.PORTING_DOCUMENT_TYPE_OTHER]: "other",
};

/** Media types carriers take for porting documents, each with the bytes its files start with. */
const DOCUMENT_TYPES: Readonly<Record<string, (content: Uint8Array) => boolean>> = {
  "application/pdf": (content) => startsWith(content, [0x25, 0x50, 0x44, 0x46, 0x2d]),
  "image/png": (content) => startsWith(content, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/jpeg": (content) => startsWith(content, [0xff, 0xd8, 0xff]),
  "image/tiff": (content) => startsWith(content, [0x49, 0x49, 0x2a, 0x00]) || startsWith(content, [0x4d, 0x4d, 0x00, 0x2a]),
};

function startsWith(content: Uint8Array, magic: readonly number[]): boolean {
  return content.length >= magic.length && magic.every((byte, index) => content[index] === byte);
}

function text(violations: FieldViolations, field: string, value: string, max: number, required: boolean): string {
  const trimmed = value.trim();
  if (trimmed === "") {
    if (required) violations.add(field, "is required");
    return "";
  }
  checkLength(violations, field, trimmed, max);
  if (CONTROL.test(trimmed)) violations.add(field, "must not contain control characters");
  return trimmed;
}

/** Secrets are checked for shape only; a message never repeats them. */
function secret(violations: FieldViolations, field: string, value: string, pattern: RegExp, shape: string): Secret | undefined {
  if (value === "") return undefined;
  if (!pattern.test(value)) {
    violations.add(field, `must be ${shape}`);
    return undefined;
  }
  return new Secret(value);
}

export function checkAccountNumber(violations: FieldViolations, value: string): Secret | undefined {
  return secret(violations, "account_number", value, ACCOUNT_NUMBER, "1 to 30 letters, digits or dashes, as on the losing carrier's bill");
}

export function checkPin(violations: FieldViolations, value: string): Secret | undefined {
  return secret(violations, "pin", value, PIN, "4 to 15 letters or digits (the port-out PIN the losing carrier issued)");
}

/** A service address complete enough for the losing carrier to match it against its records. */
export function checkServiceAddress(violations: FieldViolations, field: string, address: PostalAddress | undefined): CarrierPortInAddress | undefined {
  if (!address) {
    violations.add(field, "is required: the address where the numbers are in service, as the losing carrier has it");
    return undefined;
  }
  const lines = address.addressLines.map((line, index) => text(violations, `${field}.address_lines[${index}]`, line, 200, true));
  if (lines.length === 0) violations.add(`${field}.address_lines`, "needs at least the street line");
  if (lines.length > 4) violations.add(`${field}.address_lines`, "has at most 4 lines");
  const locality = text(violations, `${field}.locality`, address.locality, 100, true);
  const regionCode = address.regionCode.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(regionCode)) violations.add(`${field}.region_code`, "is required: an ISO 3166-1 alpha-2 code such as US");
  const rules = POSTAL_CODES[regionCode];
  const administrativeArea = text(violations, `${field}.administrative_area`, address.administrativeArea, 100, rules?.areaRequired ?? false).toUpperCase();
  if (regionCode === "US" && administrativeArea !== "" && !/^[A-Z]{2}$/.test(administrativeArea)) {
    violations.add(`${field}.administrative_area`, "must be the two-letter state code, such as NY");
  }
  const postalCode = text(violations, `${field}.postal_code`, address.postalCode, 20, true);
  if (rules && postalCode !== "" && !rules.pattern.test(postalCode)) violations.add(`${field}.postal_code`, `is not a ${regionCode} postal code (for example ${rules.example})`);
  return { addressLines: lines, locality, administrativeArea, postalCode, regionCode };
}

/** CreatePortingOrder's request, checked: what the porting service takes, but for who asked. */
export type ValidatedPortingOrder = Omit<CreatePortInput, "actor">;

export function validateCreatePortingOrder(request: CreatePortingOrderRequest, checkProvider: (violations: FieldViolations, value: string) => string | undefined, now: number): ValidatedPortingOrder {
  const violations = new FieldViolations();
  const requestId = checkRequestId(violations, request.requestId, true);
  const numbers: PortedNumber[] = [];
  const seen = new Set<string>();
  const addNumber = (field: string, value: string) => {
    const number = checkPhoneNumber(violations, field, value);
    if (!number) return;
    if (seen.has(number.e164)) violations.add(field, `${number.e164} is listed twice`);
    seen.add(number.e164);
    numbers.push({ number, field });
  };
  addNumber("phone_number", request.phoneNumber);
  request.additionalPhoneNumbers.forEach((value, index) => addNumber(`additional_phone_numbers[${index}]`, value));
  if (request.additionalPhoneNumbers.length + 1 > MAX_PORTED_NUMBERS) violations.add("additional_phone_numbers", `a port moves at most ${MAX_PORTED_NUMBERS} numbers`);
  const providerId = request.providerId === "" ? undefined : checkProvider(violations, request.providerId);
  const currentProvider = text(violations, "current_provider", request.currentProvider, 100, true);
  const accountNumber = checkAccountNumber(violations, request.accountNumber);
  const pin = checkPin(violations, request.pin);
  const authorizedName = text(violations, "authorized_name", request.authorizedName, 200, true);
  const email = request.authorizedEmail.trim();
  if (email !== "" && (email.length > 254 || !EMAIL.test(email))) violations.add("authorized_email", "is not an email address");
  const serviceAddress = checkServiceAddress(violations, "service_address", request.serviceAddress);
  if (serviceAddress && /^[A-Z]{2}$/.test(serviceAddress.regionCode)) {
    for (const { number, field } of numbers) {
      if (number.countryCode !== undefined && number.countryCode !== serviceAddress.regionCode) {
        violations.add(field, `is a ${number.countryCode} number; a port's numbers are in service in the service address's country (${serviceAddress.regionCode})`);
      }
    }
  }
  const requestedPortAt = request.requestedPortTime?.getTime();
  if (requestedPortAt !== undefined && (requestedPortAt <= now || requestedPortAt > now + MAX_PORT_AHEAD_MS)) {
    violations.add("requested_port_time", "must be in the future, at most a year ahead");
  }
  const carrierDocuments = request.carrierDocuments.flatMap((document, index): CarrierDocumentReference[] => {
    const kind = DOCUMENT_KINDS[document.documentType];
    if (!kind) violations.add(`carrier_documents[${index}].document_type`, "is required: LETTER_OF_AUTHORIZATION, BILL_COPY or OTHER");
    if (!CARRIER_DOCUMENT_ID.test(document.carrierDocumentId)) violations.add(`carrier_documents[${index}].carrier_document_id`, "must be the carrier's document id (1 to 100 letters, digits, _ or -)");
    return kind ? [{ kind, carrierDocumentId: document.carrierDocumentId }] : [];
  });
  violations.throwIfAny();
  if (!requestId || !serviceAddress) throw new Error("unreachable: validated porting order without request_id or address");
  return { requestId, numbers, carrierId: providerId, currentProvider, accountNumber, pin, authorizedName, authorizedEmail: email === "" ? undefined : email, serviceAddress, requestedPortAt, carrierDocuments };
}

export function validateAttachDocument(request: AttachPortingDocumentRequest, violations: FieldViolations): CarrierPortInDocument | undefined {
  const kind = DOCUMENT_KINDS[request.documentType];
  if (!kind) violations.add("document_type", "is required: LETTER_OF_AUTHORIZATION, BILL_COPY or OTHER");
  if (request.carrierDocumentId !== undefined) {
    const carrierDocumentId = request.carrierDocumentId;
    if (!CARRIER_DOCUMENT_ID.test(carrierDocumentId)) violations.add("carrier_document_id", "must be the carrier's document id (1 to 100 letters, digits, _ or -)");
    return kind ? { source: "carrier", kind, carrierDocumentId } : undefined;
  }
  const content = request.content;
  if (content === undefined) {
    violations.add("content", "is required, or carrier_document_id: the file itself or its id at the carrier");
    return undefined;
  }
  if (content.byteLength === 0) violations.add("content", "is empty");
  if (content.byteLength > MAX_DOCUMENT_BYTES) violations.add("content", `must be at most ${MAX_DOCUMENT_BYTES} bytes (got ${content.byteLength})`);
  const fileName = text(violations, "file_name", request.fileName, 200, true);
  if (/[/\\]/.test(fileName)) violations.add("file_name", "must be a file name, not a path");
  const contentType = request.contentType.trim().toLowerCase();
  const matches = DOCUMENT_TYPES[contentType];
  if (!matches) violations.add("content_type", `must be one of ${Object.keys(DOCUMENT_TYPES).join(", ")}`);
  else if (content.byteLength > 0 && !matches(content)) violations.add("content", `is not a ${contentType} file (its first bytes say otherwise)`);
  return kind ? { source: "content", kind, fileName, contentType, content } : undefined;
}

export function validateResubmit(request: ResubmitPortingOrderRequest, violations: FieldViolations) {
  const authorizedName = request.authorizedName.trim() === "" ? undefined : text(violations, "authorized_name", request.authorizedName, 200, true);
  const serviceAddress = request.serviceAddress ? checkServiceAddress(violations, "service_address", request.serviceAddress) : undefined;
  const correction = { accountNumber: checkAccountNumber(violations, request.accountNumber), pin: checkPin(violations, request.pin), authorizedName, serviceAddress };
  if (request.accountNumber === "" && request.pin === "" && authorizedName === undefined && !request.serviceAddress) {
    violations.add("pin", "or account_number, authorized_name or service_address is required: what the carrier rejected, corrected");
  }
  return correction;
}
