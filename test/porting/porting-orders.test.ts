import { Status } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { PortingDocumentType, PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import type { BandwidthEmulator } from "../../src/carriers/bandwidth/bandwidth-emulator.js";
import { DATABASES } from "../support/databases.js";
import { captureRpcError } from "../support/harness.js";
import { specViolations } from "../support/official-spec.js";
import { collectWatch, LOA_PDF, portRequest, startPortingHarness, TWILIO_DOCUMENTS, type PortingHarness } from "./porting-harness.js";

const S = PortingOrderState;
const L3 = "+19195550102";
const WIRELESS = "+19195550108";
const RIGHT_PIN = "2468";

function bandwidthOf(harness: PortingHarness): BandwidthEmulator {
  return harness.sandbox.bandwidth;
}

describe.each(DATABASES)("porting orders over gRPC, against the carrier emulators, on $name", { timeout: 120_000 }, (database) => {
  let subject: PortingHarness | undefined;
  afterEach(async () => {
    if (subject) {
      for (const [id, emulator] of subject.sandbox.emulators) expect(specViolations(id as "bandwidth", emulator.requests), id).toEqual([]);
      await subject.close();
    }
    subject = undefined;
  });

  async function started(): Promise<PortingHarness> {
    const databaseUrl = await database.fresh();
    subject = await startPortingHarness(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl });
    return subject;
  }

  it("walks a Bandwidth port from documents to completion, every transition seen by two watchers in order, and the number joins the inventory", async () => {
    const ports = await started();
    const { client } = ports.harness;
    const created = (await client.createPortingOrder(portRequest({ requestId: "walk-1", providerId: "bandwidth" }))).portingOrder;
    expect(created).toMatchObject({ state: S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS, providerId: "bandwidth", phoneNumbers: [L3], carrierStatus: "PENDING_DOCUMENTS" });
    const id = created?.portingOrderId ?? "";
    const watchers = [collectWatch(ports.harness, id), collectWatch(ports.harness, id)];

    const attached = await client.attachPortingDocument({ portingOrderId: id, documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, content: LOA_PDF, fileName: "loa.pdf", contentType: "application/pdf" });
    expect(attached.portingOrder?.state).toBe(S.PORTING_ORDER_STATE_SUBMITTED);
    expect(attached.portingOrder?.documents).toEqual([expect.objectContaining({ documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, fileName: "loa.pdf", sizeBytes: LOA_PDF.length })]);
    const foc = await ports.sweepUntil(id, S.PORTING_ORDER_STATE_FOC_SCHEDULED);
    expect(foc.focTime).toBeInstanceOf(Date);
    const done = await ports.sweepUntil(id, S.PORTING_ORDER_STATE_COMPLETED);

    const expected = [S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS, S.PORTING_ORDER_STATE_SUBMITTED, S.PORTING_ORDER_STATE_FOC_SCHEDULED, S.PORTING_ORDER_STATE_COMPLETED];
    for (const seen of await Promise.all(watchers)) {
      const states = seen.map((order) => order.state).filter((state, index, all) => index === 0 || all[index - 1] !== state);
      expect(states).toEqual(expected);
    }
    expect(done.transitions.map((transition) => [transition.fromState, transition.toState])).toEqual([
      [S.PORTING_ORDER_STATE_PENDING, S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS],
      [S.PORTING_ORDER_STATE_AWAITING_DOCUMENTS, S.PORTING_ORDER_STATE_SUBMITTED],
      [S.PORTING_ORDER_STATE_SUBMITTED, S.PORTING_ORDER_STATE_FOC_SCHEDULED],
      [S.PORTING_ORDER_STATE_FOC_SCHEDULED, S.PORTING_ORDER_STATE_COMPLETED],
    ]);
    const { numbers } = await client.listNumbers({});
    expect(numbers.map((number) => [number.phoneNumber, number.providerId])).toEqual([[L3, "bandwidth"]]);
    const audit = await ports.harness.app.store.audit.list(0, 1000);
    expect(audit.filter((entry) => entry.resourceId === id && entry.operation === "porting.transition").map((entry) => entry.outcome)).toEqual([
      "pending->awaiting_documents",
      "awaiting_documents->submitted",
      "submitted->foc_scheduled",
      "foc_scheduled->completed",
    ]);
  });

  it("comes back ACTION_REQUIRED with Bandwidth's reason for a wrong PIN, and completes once corrected and resubmitted", async () => {
    const ports = await started();
    const { client } = ports.harness;
    const created = await client.createPortingOrder(portRequest({ requestId: "pin-1", phoneNumber: WIRELESS, providerId: "bandwidth", currentProvider: "Emulated Wireless", accountNumber: "ACCT-1234", pin: "1111" }));
    const id = created.portingOrder?.portingOrderId ?? "";
    await client.attachPortingDocument({ portingOrderId: id, documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, content: LOA_PDF, fileName: "loa.pdf", contentType: "application/pdf" });
    const rejected = await ports.sweepUntil(id, S.PORTING_ORDER_STATE_ACTION_REQUIRED);
    expect(rejected.carrierStatus).toBe("EXCEPTION");
    expect(rejected.detail).toContain("7213");
    expect(rejected.accountNumberLast4).toBe("1234");

    const resubmitted = await client.resubmitPortingOrder({ portingOrderId: id, accountNumber: "", pin: RIGHT_PIN, authorizedName: "", serviceAddress: undefined });
    expect(resubmitted.portingOrder?.state).not.toBe(S.PORTING_ORDER_STATE_ACTION_REQUIRED);
    await ports.sweepUntil(id, S.PORTING_ORDER_STATE_COMPLETED);
    const supps = bandwidthOf(ports).requests.filter((request) => request.method === "PUT" && request.path.includes("/portins/"));
    expect(supps).toHaveLength(1);
  });

  it("cancels a submitted port, and refuses clearly once the FOC date is set", async () => {
    const ports = await started();
    const { client } = ports.harness;
    const first = (await client.createPortingOrder(portRequest({ requestId: "cancel-1", providerId: "bandwidth" }))).portingOrder;
    const cancelled = await client.cancelPortingOrder({ portingOrderId: first?.portingOrderId ?? "" });
    expect(cancelled.portingOrder?.state).toBeOneOf([S.PORTING_ORDER_STATE_CANCELLED, S.PORTING_ORDER_STATE_SUBMITTED]);
    await ports.sweepUntil(first?.portingOrderId ?? "", S.PORTING_ORDER_STATE_CANCELLED);

    const second = (await client.createPortingOrder(portRequest({ requestId: "cancel-2", phoneNumber: "+19195550103", providerId: "bandwidth" }))).portingOrder;
    const id = second?.portingOrderId ?? "";
    await client.attachPortingDocument({ portingOrderId: id, documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, content: LOA_PDF, fileName: "loa.pdf", contentType: "application/pdf" });
    await ports.sweepUntil(id, S.PORTING_ORDER_STATE_FOC_SCHEDULED);
    const refused = await captureRpcError((options) => client.cancelPortingOrder({ portingOrderId: id }, options));
    expect(refused.code).toBe(Status.FAILED_PRECONDITION);
    expect(refused.rich?.errorInfo).toMatchObject({ reason: "PORTING_ORDER_STATE", metadata: { state: "PORTING_ORDER_STATE_FOC_SCHEDULED" } });
    expect((await client.getPortingOrder({ portingOrderId: id })).portingOrder?.state).toBe(S.PORTING_ORDER_STATE_FOC_SCHEDULED);
  });

  it("never creates two ports for one request_id, even when the retries race", async () => {
    const ports = await started();
    const { client } = ports.harness;
    const request = portRequest({ requestId: "same-key", providerId: "bandwidth" });
    const answers = await Promise.all([client.createPortingOrder(request), client.createPortingOrder(request), client.createPortingOrder(request)]);
    expect(new Set(answers.map((answer) => answer.portingOrder?.portingOrderId)).size).toBe(1);
    expect((await client.listPortingOrders({ pageSize: 0, pageToken: "", providerId: "", state: S.PORTING_ORDER_STATE_UNSPECIFIED })).portingOrders).toHaveLength(1);
    expect(bandwidthOf(ports).requests.filter((entry) => entry.method === "POST" && /\/portins$/.test(entry.path))).toHaveLength(1);

    const reused = await captureRpcError((options) => client.createPortingOrder({ ...request, phoneNumber: "+19195550104" }, options));
    expect(reused.code).toBe(Status.ALREADY_EXISTS);
    expect(reused.rich?.errorInfo?.reason).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("resumes following a port after a restart", async () => {
    const ports = await started();
    const created = (await ports.harness.client.createPortingOrder(portRequest({ requestId: "restart-1", providerId: "bandwidth" }))).portingOrder;
    const id = created?.portingOrderId ?? "";
    await ports.harness.client.attachPortingDocument({ portingOrderId: id, documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, content: LOA_PDF, fileName: "loa.pdf", contentType: "application/pdf" });
    await ports.harness.close();
    // The carrier moves on while numbergate is down.
    ports.advance(30 * 86_400_000);
    const restarted = await ports.restart();
    expect((await restarted.client.getPortingOrder({ portingOrderId: id })).portingOrder?.state).toBe(S.PORTING_ORDER_STATE_SUBMITTED);
    await ports.sweepUntil(id, S.PORTING_ORDER_STATE_COMPLETED);
  });

  it("chooses a carrier that can port every number when none is named, and refuses numbers the named carrier cannot port, naming them", async () => {
    const ports = await started();
    const { client } = ports.harness;
    const chosen = (await client.createPortingOrder(portRequest({ requestId: "choose-1", carrierDocuments: TWILIO_DOCUMENTS }))).portingOrder;
    expect(["bandwidth", "telnyx", "twilio"]).toContain(chosen?.providerId);

    const refused = await captureRpcError((options) => client.createPortingOrder(portRequest({ requestId: "choose-2", phoneNumber: "+19195550104", additionalPhoneNumbers: ["+18005550100"], providerId: "twilio", carrierDocuments: TWILIO_DOCUMENTS }), options));
    expect(refused.code).toBe(Status.INVALID_ARGUMENT);
    expect(refused.rich?.errorInfo?.reason).toBe("NUMBER_NOT_PORTABLE");
    expect(refused.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toContain("additional_phone_numbers[0]");
  });
});
