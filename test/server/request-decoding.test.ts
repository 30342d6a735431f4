import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PurchaseNumberRequest, ReserveNumberRequest, SearchNumbersRequest, BatchPurchaseNumbersRequest } from "../../generated/numbergate/v1/numbers.js";
import { startHarness, type Harness } from "../support/harness.js";
import { RawGrpcClient } from "./raw-grpc.js";

const SERVICE = "/numbergate.v1.TelecomService";
const INVALID_UTF8 = new Uint8Array([0x4e, 0x65, 0x77, 0xff, 0xfe, 0x59]);

let harness: Harness;
let raw: RawGrpcClient;
beforeAll(async () => {
  harness = await startHarness();
  raw = new RawGrpcClient(harness.app.address);
});
afterAll(async () => {
  raw.close();
  await harness.close();
});

/** A valid message's bytes followed by more fields (a later scalar wins; a later message field merges). */
function append(valid: Uint8Array, write: (writer: BinaryWriter) => void): Uint8Array {
  const writer = new BinaryWriter();
  writer.raw(valid);
  write(writer);
  return writer.finish();
}

const reserve = ReserveNumberRequest.encode(ReserveNumberRequest.fromPartial({ phoneNumber: "+12125550123", providerId: "twilio" })).finish();
const search = SearchNumbersRequest.encode(SearchNumbersRequest.fromPartial({ countryCode: "US", areaCode: "212" })).finish();
const purchase = PurchaseNumberRequest.encode(PurchaseNumberRequest.fromPartial({ requestId: "decode-1", phoneNumber: "+12125550123", providerId: "twilio" })).finish();

describe("requests whose bytes break the schema get INVALID_ARGUMENT naming the field, never INTERNAL", () => {
  it.each<[string, string, Uint8Array, string, RegExp]>([
    [
      "reservation_duration.seconds = 2^60",
      "ReserveNumber",
      append(reserve, (writer) => writer.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(2n ** 60n).join()),
      "reservation_duration.seconds",
      /between -9007199254740991 and 9007199254740991/,
    ],
    [
      "reservation_duration.seconds = -2^60",
      "ReserveNumber",
      append(reserve, (writer) => writer.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(-(2n ** 60n)).join()),
      "reservation_duration.seconds",
      /between/,
    ],
    [
      "max_monthly_rate_cents (Int64Value) = 2^62",
      "SearchNumbers",
      append(search, (writer) => writer.tag(9, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(2n ** 62n).join()),
      "max_monthly_rate_cents",
      /between/,
    ],
    ["city that is not UTF-8", "SearchNumbers", append(search, (writer) => writer.tag(3, WireType.LengthDelimited).bytes(INVALID_UTF8)), "city", /not valid UTF-8/],
    [
      "customer_info.name that is not UTF-8",
      "PurchaseNumber",
      append(purchase, (writer) => writer.tag(5, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).bytes(INVALID_UTF8).join()),
      "customer_info.name",
      /not valid UTF-8/,
    ],
    [
      "provider_ids[1] that is not UTF-8",
      "SearchNumbers",
      append(search, (writer) => writer.tag(10, WireType.LengthDelimited).string("twilio").tag(10, WireType.LengthDelimited).bytes(INVALID_UTF8)),
      "provider_ids[1]",
      /not valid UTF-8/,
    ],
    [
      "items[1].reservation_id that is not UTF-8",
      "BatchPurchaseNumbers",
      BatchPurchaseNumbersRequest.encode(
        BatchPurchaseNumbersRequest.fromPartial({ requestId: "b-1", providerId: "twilio", items: [{ phoneNumber: "+12125550123" }] }),
      )
        .tag(3, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.LengthDelimited)
        .string("+12125550124")
        .tag(2, WireType.LengthDelimited)
        .bytes(INVALID_UTF8)
        .join()
        .finish(),
      "items[1].reservation_id",
      /not valid UTF-8/,
    ],
  ])("%s", async (_name, method, bytes, field, description) => {
    const answer = await raw.call(`${SERVICE}/${method}`, bytes);
    expect(answer.code).toBe(Status.INVALID_ARGUMENT);
    expect(answer.rich?.errorInfo).toMatchObject({ reason: "INVALID_FIELD", domain: "numbergate.v1" });
    expect(answer.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual([field]);
    expect(answer.rich?.badRequest?.fieldViolations[0]?.description).toMatch(description);
  });

  it("accepts the largest exact integer, 2^53 - 1, and lets validation judge it", async () => {
    const bytes = append(reserve, (writer) => writer.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(BigInt(Number.MAX_SAFE_INTEGER)).join());
    const answer = await raw.call(`${SERVICE}/ReserveNumber`, bytes);
    expect(answer.code).toBe(Status.INVALID_ARGUMENT);
    expect(answer.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual(["reservation_duration.seconds"]);
    expect(answer.rich?.badRequest?.fieldViolations[0]?.description).toMatch(/at most/);
  });

  it.each([
    // city declares 50 bytes and the message ends after 3.
    ["city", new Uint8Array([(3 << 3) | WireType.LengthDelimited, 50, 0x61, 0x62, 0x63])],
    // limit's varint never ends.
    ["limit", new Uint8Array([(8 << 3) | WireType.Varint, 0x80])],
    // a Duration that declares more bytes than the request holds.
    ["reservation_duration", new Uint8Array([(4 << 3) | WireType.LengthDelimited, 9, 0x08])],
  ])("names the field whose bytes are cut short: %s", async (field, tail) => {
    const answer = await raw.call(`${SERVICE}/${field === "reservation_duration" ? "ReserveNumber" : "SearchNumbers"}`, append(field === "reservation_duration" ? reserve : search, (writer) => writer.raw(tail)));
    expect(answer.code).toBe(Status.INVALID_ARGUMENT);
    expect(answer.rich?.errorInfo?.reason).toBe("MALFORMED_REQUEST");
    expect(answer.rich?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual([field]);
    expect(answer.rich?.badRequest?.fieldViolations[0]?.description).toMatch(/^cannot be decoded \(/);
  });

  it.each([
    ["bytes that are not protobuf", new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ["a field number 0", new Uint8Array([0x00, 0x01])],
    ["wire type 7", new Uint8Array([0x0f, 0x01])],
    ["a tag that never ends", new Uint8Array([0x80, 0x80, 0x80])],
  ])("answers %s with INVALID_ARGUMENT and ErrorInfo MALFORMED_REQUEST", async (_name, bytes) => {
    const answer = await raw.call(`${SERVICE}/SearchNumbers`, bytes);
    expect(answer.code).toBe(Status.INVALID_ARGUMENT);
    expect(answer.rich?.errorInfo).toMatchObject({ reason: "MALFORMED_REQUEST", domain: "numbergate.v1" });
    expect(answer.message).toMatch(/not a numbergate\.v1\.SearchNumbersRequest message/);
  });

  it("skips unknown fields, as every protobuf reader does", async () => {
    const bytes = append(search, (writer) => writer.tag(99, WireType.LengthDelimited).bytes(INVALID_UTF8).tag(98, WireType.Varint).int64(2n ** 62n));
    const answer = await raw.call(`${SERVICE}/SearchNumbers`, bytes);
    expect(answer.code).toBe(Status.OK);
  });

  it("leaves messages over 4 MiB to grpc-js, which answers RESOURCE_EXHAUSTED without details", async () => {
    const bytes = append(search, (writer) => writer.tag(3, WireType.LengthDelimited).string("x".repeat(4 * 1024 * 1024)));
    const answer = await raw.call(`${SERVICE}/SearchNumbers`, bytes);
    expect(answer.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(answer.rich).toBeUndefined();
  });
});
