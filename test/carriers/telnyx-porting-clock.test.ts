import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { telnyxCarrier } from "../../src/carriers/telnyx/telnyx-carrier.js";
import type { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { Secret } from "../../src/config/secret.js";
import { featureMethods, type FeatureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierPortInRequest, CarrierPortInState, CarrierPortInStatus } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { failure, phone } from "./carrier-test-kit.js";

/**
 * Sandbox mode walks the emulator's porting orders on an accelerated porting clock (EmulatorOptions.portingClock) that
 * runs ahead of real time. numbergate asks for FOC dates in real time, so the emulator judges foc_datetime_requested on
 * real time (its request clock), when it is set and when the order is confirmed, and walks the order on the porting
 * clock: here that clock is 60 days ahead.
 */

const DAY_MS = 86_400_000;
const LOA = "3a5b98a0-5049-47c3-96e1-aa6c8d119117";
const INVOICE = "ce74b771-d23d-4960-81ec-8741b3862146";

let clock: number;
let started: StartedEmulator<TelnyxEmulator>;
let dispatcher: Agent;
let porting: FeatureMethods<"porting">;

function portRequest(overrides: Partial<CarrierPortInRequest> = {}): CarrierPortInRequest {
  return {
    numbers: [phone("+17205550100")],
    orderReference: "ng-clock-1",
    losingCarrierName: "Unreal Communications",
    authorizedName: "Porter McPortersen",
    authorizedEmail: "porter@example.com",
    accountNumber: new Secret("ACCT-97531"),
    pin: new Secret("739517"),
    serviceAddress: { addressLines: ["600 Congress Avenue"], locality: "Austin", administrativeArea: "TX", postalCode: "78701", regionCode: "US" },
    requestedPortDate: new Date(Date.now() + 10 * DAY_MS),
    carrierDocuments: [],
    notificationUrl: undefined,
    ...overrides,
  };
}

async function pollUntil(orderId: string, state: CarrierPortInState, polls = 10): Promise<{ seen: string[]; last: CarrierPortInStatus | undefined }> {
  const seen: string[] = [];
  let last: CarrierPortInStatus | undefined;
  for (let poll = 0; poll < polls && last?.state !== state; poll += 1) {
    last = await porting.doGetPortIn(orderId, {});
    if (seen.at(-1) !== last.carrierStatus) seen.push(last.carrierStatus);
  }
  return { seen, last };
}

describe("telnyx sandbox porting clock", () => {
  beforeEach(async () => {
    clock = Date.now() + 60 * DAY_MS;
    started = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false, portingClock: () => clock });
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    const offered = featureMethods(started.connection.createAdapter({ dispatcher }), "porting");
    if (!offered) throw new Error("telnyx does not offer porting");
    porting = offered;
  });
  afterEach(async () => {
    expect(specViolations("telnyx", started.emulator.requests)).toEqual([]);
    await porting.close();
    await started.emulator.stop();
    await dispatcher.destroy();
  });

  it("accepts a FOC date 10 days ahead of real time, though past on the porting clock, confirms it and walks it to completion", async () => {
    const requested = new Date(Date.now() + 10 * DAY_MS);
    // Set by PATCH on the draft, then judged again when the documents confirm the order.
    const created = await porting.doCreatePortIn(portRequest({ requestedPortDate: requested }), {});
    expect(created).toMatchObject({ state: "awaiting_documents", carrierStatus: "draft" });
    await porting.doAttachPortInDocument(created.carrierOrderId, { source: "carrier", kind: "letter_of_authorization", carrierDocumentId: LOA }, {});
    const submitted = await porting.doAttachPortInDocument(created.carrierOrderId, { source: "carrier", kind: "bill_copy", carrierDocumentId: INVOICE }, {});
    expect(submitted).toMatchObject({ state: "submitted", carrierStatus: "in-process" });
    // The walk's timestamps are on the porting clock.
    expect(submitted.statusTime).toEqual(new Date(clock));

    const walk = await pollUntil(created.carrierOrderId, "completed");
    expect(walk.seen).toContain("foc-date-confirmed");
    expect(walk.last).toMatchObject({ state: "completed", carrierStatus: "ported", focDate: requested });
  });

  it("reaches an accepted FOC date on the porting clock: scheduled until that clock gets there", async () => {
    clock = Date.now();
    const requested = new Date(Date.now() + 10 * DAY_MS);
    const created = await porting.doCreatePortIn(portRequest({ requestedPortDate: requested, carrierDocuments: [{ kind: "letter_of_authorization", carrierDocumentId: LOA }, { kind: "bill_copy", carrierDocumentId: INVOICE }] }), {});
    expect(created).toMatchObject({ state: "submitted" });
    expect((await pollUntil(created.carrierOrderId, "foc_scheduled")).last).toMatchObject({ state: "foc_scheduled", focDate: requested });
    expect((await pollUntil(created.carrierOrderId, "completed", 3)).last?.state).toBe("foc_scheduled");
    clock = requested.getTime();
    expect((await pollUntil(created.carrierOrderId, "completed")).last).toMatchObject({ state: "completed", statusTime: requested });
  });

  it("still refuses a FOC date in the past of real time", async () => {
    const refused = await failure(porting.doCreatePortIn(portRequest({ requestedPortDate: new Date(Date.now() - DAY_MS) }), {}));
    expect(refused).toMatchObject({ kind: "invalid_request" });
    expect(refused.carrierMessage).toContain("must be in the future");
  });
});
