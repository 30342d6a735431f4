import {
  Client,
  credentials,
  Metadata,
  type ServerInterceptingCallInterface,
  type ServiceError,
} from "@grpc/grpc-js";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ReserveNumberRequest, SearchNumbersRequest, SearchNumbersResponse } from "../../generated/numbergate/v1/numbers.js";
import { deadlineInterceptor } from "../../src/server/call-deadline.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";
import { RawGrpcClient } from "./raw-grpc.js";

const SEARCH = SearchNumbersRequest.fromPartial({ countryCode: "US", areaCode: "212" });
const ROUNDS = 3;
const CONCURRENT = 20;

let harness: Harness;
beforeAll(async () => {
  // One carrier, slower than any deadline below: every call must end at its deadline.
  harness = await startHarness(onlyCarriers("twilio"));
  harness.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 2000 });
});
afterAll(async () => harness.close());

describe("a call whose deadline passes ends DEADLINE_EXCEEDED, never CANCELLED", () => {
  it(`as the server answers it: ${ROUNDS} rounds of ${CONCURRENT} concurrent identical searches (they share one carrier call)`, async () => {
    // grpc-timeout without a client-side timer: the status seen is the one numbergate sent.
    const raw = new RawGrpcClient(harness.app.address);
    try {
      const codes: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: CONCURRENT }, () => raw.call("/numbergate.v1.TelecomService/SearchNumbers", SearchNumbersRequest.encode(SEARCH).finish(), { "grpc-timeout": "300m" })),
        );
        codes.push(...answers.map((answer) => answer.code));
      }
      expect(codes.filter((code) => code !== Status.DEADLINE_EXCEEDED).map((code) => Status[code])).toEqual([]);
      expect(codes).toHaveLength(ROUNDS * CONCURRENT);
    } finally {
      raw.close();
    }
  });

  it("for reservations too, which call the carrier directly", async () => {
    const raw = new RawGrpcClient(harness.app.address);
    try {
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, index) =>
          raw.call(
            "/numbergate.v1.TelecomService/ReserveNumber",
            ReserveNumberRequest.encode(ReserveNumberRequest.fromPartial({ phoneNumber: `+1212555${String(100 + index).padStart(4, "0")}`, providerId: "twilio" })).finish(),
            { "grpc-timeout": "300m" },
          ),
        ),
      );
      expect(answers.filter((answer) => answer.code !== Status.DEADLINE_EXCEEDED).map((answer) => `${Status[answer.code]} ${answer.message}`)).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it("takes the deadline only from grpc-timeout: a client cannot set numbergate's internal header", async () => {
    harness.sandbox.twilio.faults.clear();
    const raw = new RawGrpcClient(harness.app.address);
    try {
      const answer = await raw.call("/numbergate.v1.TelecomService/SearchNumbers", SearchNumbersRequest.encode(SEARCH).finish(), { "numbergate-internal-deadline-ms": "1" });
      expect(answer.code).toBe(Status.OK);
    } finally {
      raw.close();
      harness.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 2000 });
    }
  });

  it("as a grpc-js client with a deadline sees it", async () => {
    const client = new Client(harness.app.address, credentials.createInsecure());
    try {
      const search = () =>
        new Promise<number>((resolve) => {
          client.makeUnaryRequest(
            "/numbergate.v1.TelecomService/SearchNumbers",
            (request: SearchNumbersRequest) => Buffer.from(SearchNumbersRequest.encode(request).finish()),
            (bytes: Buffer) => SearchNumbersResponse.decode(bytes),
            SEARCH,
            new Metadata(),
            { deadline: Date.now() + 300 },
            (error: ServiceError | null) => resolve(error?.code ?? Status.OK),
          );
        });
      const codes = await Promise.all(Array.from({ length: CONCURRENT }, search));
      expect(new Set(codes)).toEqual(new Set([Status.DEADLINE_EXCEEDED]));
    } finally {
      client.close();
    }
  });
});

type StatusSent = Parameters<ServerInterceptingCallInterface["sendStatus"]>[0];

describe("the deadline interceptor", () => {
  /** A grpc-js call with the given deadline that records the status it is asked to send. */
  function fakeCall(deadline: number) {
    const sent: StatusSent[] = [];
    const call = {
      start: vi.fn(),
      sendMetadata: vi.fn(),
      sendMessage: vi.fn(),
      sendStatus: (status: StatusSent) => sent.push(status),
      startRead: vi.fn(),
      getPeer: () => "test",
      getDeadline: () => deadline,
      getHost: () => "localhost",
      getAuthContext: () => ({}),
      getConnectionInfo: () => ({}),
      getMetricsRecorder: vi.fn(),
    } as unknown as ServerInterceptingCallInterface;
    return { call, sent };
  }

  it("turns any failure answered after the deadline into DEADLINE_EXCEEDED, without the replaced details", () => {
    const { call, sent } = fakeCall(Date.now() - 1);
    const intercepted = deadlineInterceptor({} as never, call);
    const trailer = new Metadata();
    trailer.set("grpc-status-details-bin", Buffer.from([1, 2, 3]));
    intercepted.sendStatus({ code: Status.UNAVAILABLE, details: "twilio did not answer in time", metadata: trailer });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ code: Status.DEADLINE_EXCEEDED, details: "Deadline exceeded" });
    expect(sent[0]?.metadata?.get("grpc-status-details-bin")).toEqual([]);
  });

  it("leaves answers before the deadline, and successes, alone", () => {
    const early = fakeCall(Date.now() + 60_000);
    deadlineInterceptor({} as never, early.call).sendStatus({ code: Status.UNAVAILABLE, details: "x" });
    const late = fakeCall(Date.now() - 1);
    deadlineInterceptor({} as never, late.call).sendStatus({ code: Status.OK, details: "" });
    expect([early.sent[0]?.code, late.sent[0]?.code]).toEqual([Status.UNAVAILABLE, Status.OK]);
  });
});
