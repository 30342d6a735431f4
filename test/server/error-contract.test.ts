import { readFileSync } from "node:fs";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Status } from "nice-grpc";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorReason } from "../../generated/numbergate/v1/common.js";
import { ReserveNumberRequest, SearchNumbersRequest } from "../../generated/numbergate/v1/numbers.js";
import { InventoryDriftState } from "../../generated/numbergate/v1/providers.js";
import { ProviderManager } from "../../src/manager/provider-manager.js";
import { startServer } from "../../src/server/create-server.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { onlyCarriers } from "../support/only-carriers.js";
import { PortingDocumentType } from "../../generated/numbergate/v1/porting.js";
import { LOA_PDF, portRequest } from "../porting/porting-harness.js";
import { captureRpcError, startHarness, type DecodedErrorDetails, type Harness } from "../support/harness.js";
import { RawGrpcClient } from "./raw-grpc.js";

/** One row of a table in README's "### Errors" section. */
interface ContractRow {
  readonly when: string;
  /** The first code the row names. */
  readonly code: keyof typeof Status;
  /** Empty: the row promises no ErrorInfo at all. */
  readonly reason: string;
}

function readErrorTables(): ContractRow[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Errors\n"), readme.indexOf("\n## ", readme.indexOf("### Errors\n")));
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| when |"))
    .map((line) => {
      const [when = "", code = "", reason = ""] = line.split(" | ").map((cell) => cell.replace(/^\| /, "").trim());
      const firstName = (cell: string) => /`([A-Z_]+)`/.exec(cell)?.[1] ?? "";
      return { when, code: firstName(code) as keyof typeof Status, reason: firstName(reason) };
    });
}

interface Answer {
  readonly code: number;
  readonly details: string;
  readonly rich: DecodedErrorDetails | undefined;
}

interface Scenario {
  readonly environment?: Record<string, string>;
  /** Brings the row's error about and returns what the client saw. */
  run(harness: Harness): Promise<Answer>;
  /** The row's details column. */
  check?(answer: Answer, harness: Harness): void | Promise<void>;
}

const SEARCH = { countryCode: "US", areaCode: "212" };
const GARBAGE = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const FAST = { NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };
const TWILIO_ONLY = onlyCarriers("twilio");
/** The carriers every scenario starts with unless it says otherwise: the rows' examples name Twilio and Bandwidth. */
const TWO_CARRIERS = onlyCarriers("twilio", "bandwidth");

async function forSale(harness: Harness, providerId: string, areaCode = "212", count = 1): Promise<string[]> {
  const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: count });
  return numbers.map((number) => number.phoneNumber);
}

async function raw(harness: Harness, path: string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  const client = new RawGrpcClient(harness.app.address);
  try {
    const answer = await client.call(path, bytes, headers);
    return { code: answer.code, details: answer.message, rich: answer.rich };
  } finally {
    client.close();
  }
}

/** A number bought in Twilio's console, outside numbergate: reconciliation finds it as an open drift. */
async function unknownNumberDrift(harness: Harness): Promise<string> {
  const [phoneNumber = ""] = await forSale(harness, "twilio", "202");
  harness.sandbox.twilio.addOwned(phoneNumber);
  const { drifts } = await harness.client.reconcileInventory({ providerId: "twilio" });
  const drift = drifts.find((candidate) => candidate.phoneNumber === phoneNumber);
  if (!drift) throw new Error(`reconciliation did not find ${phoneNumber}`);
  return drift.driftId;
}

const fields = (answer: Answer) => answer.rich?.badRequest?.fieldViolations.map((violation) => violation.field) ?? [];
const metadata = (answer: Answer) => answer.rich?.errorInfo?.metadata ?? {};

/** A purchase refused for good: its error names the order, the order reads FAILED, a retry replays the error. */
async function refusedPurchase(harness: Harness, request: { requestId: string; phoneNumber: string; providerId: string }): Promise<Answer> {
  const first = await captureRpcError((options) => harness.client.purchaseNumber(request, options));
  expect(await captureRpcError((options) => harness.client.purchaseNumber(request, options))).toEqual(first);
  expect(first.rich?.retryInfo).toBeUndefined();
  const order = await harness.client.getNumberOrder({ orderId: first.rich?.errorInfo?.metadata["order_id"] ?? "" });
  expect(order.order?.requestId).toBe(request.requestId);
  return first;
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  // Requests numbergate refuses.
  "a request field is invalid": {
    run: (harness) => captureRpcError((options) => harness.client.searchNumbers({ countryCode: "", limit: -3, pattern: "abc" }, options)),
    check: (answer) => expect(fields(answer).sort()).toEqual(["country_code", "limit", "pattern"]),
  },
  "a 64-bit integer beyond ±(2^53 − 1), or a string that is not UTF-8": {
    async run(harness) {
      const writer = new BinaryWriter().raw(ReserveNumberRequest.encode(ReserveNumberRequest.fromPartial({ phoneNumber: "+12125550123", providerId: "twilio" })).finish());
      writer.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(2n ** 60n).join();
      return raw(harness, "/numbergate.v1.TelecomService/ReserveNumber", writer.finish());
    },
    async check(answer, harness) {
      expect(fields(answer)).toEqual(["reservation_duration.seconds"]);
      const writer = new BinaryWriter().raw(SearchNumbersRequest.encode(SearchNumbersRequest.fromPartial(SEARCH)).finish());
      writer.tag(3, WireType.LengthDelimited).bytes(new Uint8Array([0xc3, 0x28]));
      const notUtf8 = await raw(harness, "/numbergate.v1.TelecomService/SearchNumbers", writer.finish());
      expect([notUtf8.code, notUtf8.rich?.errorInfo?.reason, fields(notUtf8)]).toEqual([Status.INVALID_ARGUMENT, "INVALID_FIELD", ["city"]]);
    },
  },
  "the request bytes are not a message of the method's request type (TelecomService, grpc.health.v1)": {
    run: (harness) => raw(harness, "/numbergate.v1.TelecomService/SearchNumbers", GARBAGE),
    async check(answer, harness) {
      expect(fields(answer)).toEqual([]);
      const cutShort = await raw(harness, "/numbergate.v1.TelecomService/SearchNumbers", new Uint8Array([(3 << 3) | WireType.LengthDelimited, 50, 0x61]));
      expect([cutShort.rich?.errorInfo?.reason, fields(cutShort)]).toEqual(["MALFORMED_REQUEST", ["city"]]);
      const health = await raw(harness, "/grpc.health.v1.Health/Check", GARBAGE);
      expect([health.code, health.rich?.errorInfo?.reason]).toEqual([Status.INVALID_ARGUMENT, "MALFORMED_REQUEST"]);
    },
  },
  "`provider_id` names no configured carrier": {
    run: (harness) => captureRpcError((options) => harness.client.checkNumberAvailability({ phoneNumber: "+12125550123", providerId: "telco-x" }, options)),
    check: (answer) => expect(fields(answer)).toEqual(["provider_id"]),
  },
  "a purchase's `reservation_id` names no reservation": {
    run: (harness) => captureRpcError((options) => harness.client.purchaseNumber({ requestId: "c-1", phoneNumber: "+12125550123", providerId: "twilio", reservationId: "res_nothingHere" }, options)),
    check: (answer) => expect(fields(answer)).toEqual(["reservation_id"]),
  },
  "the reservation holds another number, or is at another carrier": {
    async run(harness) {
      const [held = "", other = ""] = await forSale(harness, "twilio", "415", 2);
      const { reservation } = await harness.client.reserveNumber({ phoneNumber: held, providerId: "twilio" });
      return captureRpcError((options) => harness.client.purchaseNumber({ requestId: "c-2", phoneNumber: other, providerId: "twilio", reservationId: reservation?.reservationId ?? "" }, options));
    },
    check: (answer) => expect(fields(answer)).toEqual(["reservation_id"]),
  },
  "the reservation expired, was cancelled or was used by another purchase": {
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "twilio", "303");
      const { reservation } = await harness.client.reserveNumber({ phoneNumber, providerId: "twilio" });
      const reservationId = reservation?.reservationId ?? "";
      await harness.client.cancelReservation({ reservationId });
      return captureRpcError((options) => harness.client.purchaseNumber({ requestId: "c-3", phoneNumber, providerId: "twilio", reservationId }, options));
    },
    check: (answer) => expect(fields(answer)).toEqual(["reservation_id"]),
  },
  "the reservation, order or owned number the request names does not exist": {
    run: (harness) => captureRpcError((options) => harness.client.getNumberOrder({ orderId: "ord_nothingHere" }, options)),
    check: (answer) => expect(fields(answer)).toEqual(["order_id"]),
  },
  "the same `request_id` with a different request": {
    async run(harness) {
      const [first = "", second = ""] = await forSale(harness, "twilio", "206", 2);
      const bought = await harness.client.purchaseNumber({ requestId: "c-4", phoneNumber: first, providerId: "twilio" });
      const answer = await captureRpcError((options) => harness.client.purchaseNumber({ requestId: "c-4", phoneNumber: second, providerId: "twilio" }, options));
      expect(metadata(answer)["order_id"]).toBe(bought.order?.orderId);
      return answer;
    },
  },
  "another client holds the number, or numbergate already owns it": {
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "twilio", "305");
      await harness.client.reserveNumber({ phoneNumber, providerId: "twilio" });
      return captureRpcError((options) => harness.client.reserveNumber({ phoneNumber, providerId: "twilio" }, options));
    },
    check: (answer) => expect(metadata(answer)["phone_number"]).toMatch(/^\+1305/),
  },
  "another request is releasing the number": {
    environment: FAST,
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "twilio", "310");
      await harness.client.purchaseNumber({ requestId: "c-5", phoneNumber, providerId: "twilio" });
      harness.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 1000, method: "DELETE", times: 1 });
      const first = harness.client.releaseNumber({ requestId: "c-6", phoneNumber });
      await vi.waitFor(() => expect(harness.sandbox.twilio.countRequests((request) => request.method === "DELETE")).toBe(1));
      const answer = await captureRpcError((options) => harness.client.releaseNumber({ requestId: "c-7", phoneNumber }, options));
      await first;
      return answer;
    },
    check: (answer) => expect(metadata(answer)["phone_number"]).toMatch(/^\+1310/),
  },
  "a number of a porting order cannot be ported in to the chosen carrier (its portability check says no)": {
    // Twilio ports no toll-free number through its API (MANUAL_PORTING_AVAILABLE, 22133).
    run: (harness) => captureRpcError((options) => harness.client.createPortingOrder(portRequest({ requestId: "np-1", providerId: "twilio", additionalPhoneNumbers: ["+18005550100"] }), options)),
    check: (answer) => expect(answer.rich?.badRequest?.fieldViolations).toMatchObject([{ field: "additional_phone_numbers[0]", description: expect.stringContaining("MANUAL_PORTING_AVAILABLE") }]),
  },
  "the porting order's state does not allow the request (cancel after the FOC date, resubmit an order that is not `ACTION_REQUIRED`, attach a document to a finished port)": {
    async run(harness) {
      const { portingOrder } = await harness.client.createPortingOrder(portRequest({ requestId: "ps-1", providerId: "bandwidth" }));
      const portingOrderId = portingOrder?.portingOrderId ?? "";
      await harness.client.attachPortingDocument({ portingOrderId, documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, content: LOA_PDF, fileName: "loa.pdf", contentType: "application/pdf" });
      return captureRpcError((options) => harness.client.resubmitPortingOrder({ portingOrderId, pin: "2468", accountNumber: "", authorizedName: "", serviceAddress: undefined }, options));
    },
    check: (answer) => expect(metadata(answer)).toMatchObject({ state: "PORTING_ORDER_STATE_SUBMITTED", carrier_status: "SUBMITTED" }),
  },
  "a numbergate bug": {
    // A server started without the store cannot serve the lifecycle: a programming error, not the caller's.
    async run() {
      const server = await startServer({ address: "127.0.0.1:0", manager: new ProviderManager({ registrations: [] }), logger: silentLogger(), shutdownGraceMs: 100 });
      const client = new RawGrpcClient(`127.0.0.1:${server.port}`);
      try {
        const answer = await client.call("/numbergate.v1.TelecomService/GetReservation", new BinaryWriter().tag(1, WireType.LengthDelimited).string("res_abc").finish());
        return { code: answer.code, details: answer.message, rich: answer.rich };
      } finally {
        client.close();
        await server.shutdown();
      }
    },
    check(answer) {
      expect(metadata(answer)["error_id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.details).not.toMatch(/store/);
    },
  },

  // Carriers failing.
  "connection refused / reset": {
    environment: TWILIO_ONLY,
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "reset" });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
    check: (answer) => expect(metadata(answer)["carrier"]).toBe("twilio"),
  },
  "no answer in time": {
    environment: { ...TWILIO_ONLY, PROVIDER_TIMEOUT_SEARCH: "300" },
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "hang" });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
    check: (answer) => expect(metadata(answer)["carrier"]).toBe("twilio"),
  },
  "carrier 5xx or unreadable body": {
    environment: TWILIO_ONLY,
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "status", status: 503 });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
    check: (answer) => expect(metadata(answer)).toMatchObject({ carrier: "twilio", http_status: "503" }),
  },
  "carrier rejected numbergate's credentials": {
    environment: TWILIO_ONLY,
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "status", status: 401 });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
  },
  "carrier rate limiting": {
    environment: TWILIO_ONLY,
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "rate_limit", retryAfterSeconds: 7 });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
    check: (answer) => expect(answer.rich?.retryInfo?.retryDelay?.seconds).toBe(7),
  },
  "carrier says the request is invalid": {
    environment: TWILIO_ONLY,
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "status", status: 400 });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
    check: (answer) => expect(metadata(answer)["carrier"]).toBe("twilio"),
  },
  "number or resource not found / not available": {
    // Bandwidth refuses to reserve a number someone else took with its error 5041.
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "bandwidth", "303");
      harness.sandbox.bandwidth.numbers.owned.add(phoneNumber.slice(2));
      return captureRpcError((options) => harness.client.reserveNumber({ phoneNumber, providerId: "bandwidth" }, options));
    },
    check: (answer) => expect(metadata(answer)).toMatchObject({ carrier: "bandwidth", carrier_error_code: "5041" }),
  },
  "several carriers failed": {
    async run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "status", status: 503, times: 1 });
      harness.sandbox.bandwidth.faults.inject({ kind: "status", status: 401, times: 1 });
      return captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
    },
    async check(answer, harness) {
      expect(metadata(answer)).toEqual({ twilio: "CARRIER_SERVER_ERROR", bandwidth: "CARRIER_AUTH_FAILED" });
      harness.sandbox.twilio.faults.inject({ kind: "status", status: 401, times: 1 });
      harness.sandbox.bandwidth.faults.inject({ kind: "status", status: 401, times: 1 });
      const shared = await captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
      expect([shared.code, shared.rich?.errorInfo?.reason]).toEqual([Status.INTERNAL, "ALL_CARRIERS_FAILED"]);
    },
  },
  "no enabled carrier can serve the request": {
    run: (harness) => captureRpcError((options) => harness.client.searchNumbers({ countryCode: "JP" }, options)),
    // Every registered carrier says why it cannot, those switched off included.
    check: (answer) => expect(metadata(answer)).toMatchObject({ twilio: expect.any(String), bandwidth: expect.any(String), plivo: "disabled by PLIVO_ENABLED=false" }),
  },
  "numbergate did not call the carrier: its breaker is open, it is drained, or numbergate's concurrency limit for it is full": {
    environment: { ...TWILIO_ONLY, PROVIDER_BREAKER_WINDOW: "2", PROVIDER_BREAKER_MIN_CALLS: "2", PROVIDER_CIRCUIT_BREAKER_TIMEOUT: "60000" },
    async run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "status", status: 503, times: 2 });
      for (let attempt = 0; attempt < 2; attempt += 1) await captureRpcError((options) => harness.client.searchNumbers(SEARCH, options));
      return captureRpcError((options) => harness.client.reserveNumber({ phoneNumber: "+12125550123", providerId: "twilio" }, options));
    },
    check: (answer) => expect(answer.rich?.retryInfo?.retryDelay?.seconds).toBeGreaterThan(50),
  },

  // Purchases that failed for good.
  "the carrier refused the purchase, in its answer or its order status (here: the number is not for sale, Twilio 21422 or Bandwidth 5005)": {
    run: (harness) => refusedPurchase(harness, { requestId: "c-8", phoneNumber: "+12125550100", providerId: "twilio" }),
    check: (answer) => expect(metadata(answer)).toMatchObject({ order_id: expect.stringMatching(/^ord_/), carrier: "twilio" }),
  },
  "the purchase never left numbergate (connection refused)": {
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "twilio");
      await harness.sandbox.twilio.refuseConnections();
      try {
        return await refusedPurchase(harness, { requestId: "c-9", phoneNumber, providerId: "twilio" });
      } finally {
        await harness.sandbox.twilio.acceptConnections();
      }
    },
    check: (answer) => expect(metadata(answer)["order_id"]).toMatch(/^ord_/),
  },
  "numbergate did not call the carrier (breaker open, drained, concurrency limit full)": {
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "twilio");
      await harness.client.setProviderEnabled({ providerId: "twilio", enabled: false, reason: "maintenance" });
      return refusedPurchase(harness, { requestId: "c-10", phoneNumber, providerId: "twilio" });
    },
    check: (answer) => expect(metadata(answer)["order_id"]).toMatch(/^ord_/),
  },
  "the carrier's order status says the order failed with a code numbergate does not know, in its own words": {
    environment: FAST,
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "bandwidth", "303");
      const adapter = harness.app.manager.registrations.find((registration) => registration.adapter.descriptor.id === "bandwidth")?.adapter;
      if (!adapter?.doPurchase) throw new Error("no Bandwidth purchase");
      // Bandwidth answers the order with FAILED and a code outside the error reference.
      vi.spyOn(adapter, "doPurchase").mockResolvedValueOnce({
        carrierOrderId: "bw-order-1",
        state: "failed",
        purchased: [],
        failed: [{ e164: phoneNumber, carrierCode: "5999", detail: "Telephone number is in a state that prevents ordering" }],
      });
      return refusedPurchase(harness, { requestId: "c-11", phoneNumber, providerId: "bandwidth" });
    },
    async check(answer, harness) {
      const order = await harness.client.getNumberOrder({ orderId: metadata(answer)["order_id"] ?? "" });
      expect(order.order?.items[0]?.detail).not.toBe("");
    },
  },
  "the answer was lost and the carrier has no trace of the purchase `NUMBERGATE_IN_DOUBT_GRACE` later": {
    environment: { ...FAST, PROVIDER_TIMEOUT_PURCHASE: "300", NUMBERGATE_IN_DOUBT_GRACE: "400" },
    async run(harness) {
      const [phoneNumber = ""] = await forSale(harness, "twilio");
      harness.sandbox.twilio.faults.inject({ kind: "reset", method: "POST", pathIncludes: "IncomingPhoneNumbers", times: 1 });
      return refusedPurchase(harness, { requestId: "c-12", phoneNumber, providerId: "twilio" });
    },
    check: (answer) => expect(metadata(answer)["order_id"]).toMatch(/^ord_/),
  },

  // Answered by gRPC itself.
  "an inventory drift resolved the way its kind does not allow (`ADOPTED` resolves `UNKNOWN_TO_NUMBERGATE`, `MARKED_RELEASED` resolves `MISSING_AT_CARRIER`)": {
    environment: { ...TWILIO_ONLY, NUMBERGATE_RECONCILE_INTERVAL: "0" },
    async run(harness) {
      const driftId = await unknownNumberDrift(harness);
      return captureRpcError((options) => harness.client.resolveInventoryDrift({ driftId, resolution: InventoryDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED, note: "never ours" }, options));
    },
    check(answer) {
      expect(fields(answer)).toEqual(["resolution"]);
      expect(metadata(answer)).toMatchObject({ drift_id: expect.stringMatching(/^dft_/), kind: "UNKNOWN_TO_NUMBERGATE" });
    },
  },
  "an inventory drift that is no longer open (resolved, or gone by itself), unless the request repeats the resolution it got (that answers with the drift)": {
    environment: { ...TWILIO_ONLY, NUMBERGATE_RECONCILE_INTERVAL: "0" },
    async run(harness) {
      const driftId = await unknownNumberDrift(harness);
      const adopt = { driftId, resolution: InventoryDriftState.INVENTORY_DRIFT_STATE_ADOPTED, note: "bought in the console" };
      const adopted = await harness.client.resolveInventoryDrift(adopt);
      expect(await harness.client.resolveInventoryDrift(adopt)).toEqual(adopted);
      return captureRpcError((options) => harness.client.resolveInventoryDrift({ ...adopt, resolution: InventoryDriftState.INVENTORY_DRIFT_STATE_MARKED_RELEASED }, options));
    },
    check(answer) {
      expect(fields(answer)).toEqual(["drift_id"]);
      expect(metadata(answer)).toMatchObject({ drift_id: expect.stringMatching(/^dft_/), state: "ADOPTED" });
    },
  },
  "the call's deadline passed": {
    environment: TWILIO_ONLY,
    run(harness) {
      harness.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 2000 });
      return raw(harness, "/numbergate.v1.TelecomService/SearchNumbers", SearchNumbersRequest.encode(SearchNumbersRequest.fromPartial(SEARCH)).finish(), { "grpc-timeout": "200m" });
    },
  },
  "a request message over the receive limit (4 MiB)": {
    run: (harness) => raw(harness, "/numbergate.v1.TelecomService/SearchNumbers", new BinaryWriter().tag(3, WireType.LengthDelimited).string("x".repeat(4 * 1024 * 1024)).finish()),
  },
  "a method the server does not have": {
    run: (harness) => raw(harness, "/numbergate.v1.TelecomService/BuyTheMoon", new Uint8Array()),
  },
  "server reflection request bytes that are not a message (its library decodes them)": {
    run: (harness) => raw(harness, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", GARBAGE),
  },
};

const ROWS = readErrorTables();

describe("README ### Errors: every row is what the server answers", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("has a scenario for every row and a row for every scenario", () => {
    expect(ROWS.length).toBeGreaterThan(20);
    expect(ROWS.map((row) => row.when).filter((when) => !(when in SCENARIOS))).toEqual([]);
    expect(Object.keys(SCENARIOS).filter((when) => !ROWS.some((row) => row.when === when))).toEqual([]);
  });

  it.each(ROWS)("$when: $code $reason", async (row) => {
    const scenario = SCENARIOS[row.when];
    if (!scenario) throw new Error(`no scenario for README row "${row.when}"`);
    harness = await startHarness({ ...TWO_CARRIERS, ...scenario.environment });
    const answer = await scenario.run(harness);
    expect(Status[answer.code]).toBe(row.code);
    if (row.reason === "") {
      expect(answer.rich).toBeUndefined();
    } else {
      expect(answer.rich?.errorInfo).toMatchObject({ reason: row.reason, domain: "numbergate.v1" });
      expect(answer.rich?.status.code).toBe(answer.code);
      // The reason is a value of the contract's enum, which clients switch on.
      expect(ErrorReason[`ERROR_REASON_${row.reason}` as keyof typeof ErrorReason]).toBeGreaterThan(0);
    }
    await scenario.check?.(answer, harness);
  });
});
