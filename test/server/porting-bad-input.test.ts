import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortingDocumentType, type AttachPortingDocumentRequest, type CreatePortingOrderRequest } from "../../generated/numbergate/v1/porting.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { LOA_PDF, portRequest, SERVICE_ADDRESS } from "../porting/porting-harness.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.close());

const SECRET_PIN = "Zq9x";

describe("CreatePortingOrder rejects bad input with INVALID_ARGUMENT naming the field, before anything is stored or sent", () => {
  it.each<[string, Partial<CreatePortingOrderRequest>, string]>([
    ["no request_id", { requestId: "" }, "request_id"],
    ["no number", { phoneNumber: "" }, "phone_number"],
    ["a number that is not E.164", { phoneNumber: "919-555-0102" }, "phone_number"],
    ["an additional number listed twice", { additionalPhoneNumbers: ["+19195550103", "+19195550103"] }, "additional_phone_numbers[1]"],
    ["a number of another country than the service address", { additionalPhoneNumbers: ["+442079460123"] }, "additional_phone_numbers[0]"],
    ["an unknown provider", { providerId: "acme" }, "provider_id"],
    ["no losing carrier", { currentProvider: "" }, "current_provider"],
    ["a PIN too short", { pin: "12" }, "pin"],
    ["a PIN with punctuation", { pin: `${SECRET_PIN}!` }, "pin"],
    ["an account number with spaces", { accountNumber: "12 34 56" }, "account_number"],
    ["no authorized name", { authorizedName: " " }, "authorized_name"],
    ["a malformed e-mail", { authorizedEmail: "grace-at-example" }, "authorized_email"],
    ["no service address", { serviceAddress: undefined }, "service_address"],
    ["no street", { serviceAddress: { ...SERVICE_ADDRESS, addressLines: [] } }, "service_address.address_lines"],
    ["no city", { serviceAddress: { ...SERVICE_ADDRESS, locality: "" } }, "service_address.locality"],
    ["a US address without its state", { serviceAddress: { ...SERVICE_ADDRESS, administrativeArea: "" } }, "service_address.administrative_area"],
    ["a US postal code that is not a ZIP", { serviceAddress: { ...SERVICE_ADDRESS, postalCode: "ABC12" } }, "service_address.postal_code"],
    ["no country", { serviceAddress: { ...SERVICE_ADDRESS, regionCode: "" } }, "service_address.region_code"],
    ["a port time in the past", { requestedPortTime: new Date(Date.now() - 86_400_000) }, "requested_port_time"],
    ["a carrier document without its type", { carrierDocuments: [{ documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_UNSPECIFIED, carrierDocumentId: "RD1" }] }, "carrier_documents[0].document_type"],
    ["a carrier document id with a path in it", { carrierDocuments: [{ documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_BILL_COPY, carrierDocumentId: "../etc/passwd" }] }, "carrier_documents[0].carrier_document_id"],
  ])("%s", async (_name, overrides, field) => {
    const error = await captureRpcError((options) => harness.client.createPortingOrder(portRequest({ requestId: "bad-input", ...overrides }), options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toContain(field);
    expect(error.details).not.toContain(SECRET_PIN);
    expect((await harness.client.listPortingOrders({ pageSize: 0, pageToken: "", providerId: "", state: 0 })).portingOrders).toEqual([]);
  });
});

describe("AttachPortingDocument checks the document before asking for the order", () => {
  const attach = (overrides: Partial<AttachPortingDocumentRequest>): AttachPortingDocumentRequest => ({
    portingOrderId: "prt_missing",
    documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION,
    content: LOA_PDF,
    carrierDocumentId: undefined,
    fileName: "loa.pdf",
    contentType: "application/pdf",
    ...overrides,
  });

  it.each<[string, Partial<AttachPortingDocumentRequest>, string]>([
    ["no order id", { portingOrderId: "" }, "porting_order_id"],
    ["no document type", { documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_UNSPECIFIED }, "document_type"],
    ["neither content nor a carrier document id", { content: undefined }, "content"],
    ["an empty file", { content: Buffer.alloc(0) }, "content"],
    ["a file over 3 MiB", { content: Buffer.concat([LOA_PDF, Buffer.alloc(3 * 1024 * 1024)]) }, "content"],
    ["a PDF declared as PNG", { contentType: "image/png" }, "content"],
    ["a media type carriers do not take", { contentType: "text/html" }, "content_type"],
    ["a path for a file name", { fileName: "../../loa.pdf" }, "file_name"],
  ])("%s", async (_name, overrides, field) => {
    const error = await captureRpcError((options) => harness.client.attachPortingDocument(attach(overrides), options));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toContain(field);
  });

  it("answers NOT_FOUND naming the order when it does not exist", async () => {
    const error = await captureRpcError((options) => harness.client.attachPortingDocument(attach({}), options));
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.rich?.badRequest?.fieldViolations[0]?.field).toBe("porting_order_id");
  });
});
