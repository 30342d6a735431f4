import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bandwidthCarrier } from "../../src/carriers/bandwidth/bandwidth-carrier.js";
import type { BandwidthEmulator } from "../../src/carriers/bandwidth/bandwidth-emulator.js";
import { losingCarrierOf } from "../../src/carriers/bandwidth/bandwidth-emulator-lnp.js";
import { focDateFor } from "../../src/carriers/bandwidth/bandwidth-emulator-portin-request.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { featureMethods, type FeatureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierPortInRequest, CarrierPortInState, CarrierPortInStatus } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { carrierError, phone } from "./carrier-test-kit.js";

/**
 * Sandbox mode walks the emulator's port-ins on an accelerated porting clock (EmulatorOptions.portingClock) that runs
 * ahead of real time. numbergate asks for FOC dates in real time, so the emulator judges a RequestedFocDate on real time
 * (its request clock) and walks the port-in on the porting clock: here that clock is 60 days ahead.
 */

const DAY_MS = 86_400_000;
const WIRELINE = "+19195550105"; // IntegraTelecom: a minimum porting interval of 1 day.
const LOA = { source: "content", kind: "letter_of_authorization", fileName: "loa.pdf", contentType: "application/pdf", content: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a]) } as const;

/** A weekday at 15:30Z, `days` days (or the first weekday after) from real now. */
function weekdayAhead(days: number): Date {
  const date = new Date(Math.floor((Date.now() + days * DAY_MS) / DAY_MS) * DAY_MS + 15.5 * 3_600_000);
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6) date.setTime(date.getTime() + DAY_MS);
  return date;
}

let clock: number;
let started: StartedEmulator<BandwidthEmulator>;
let dispatcher: Agent;
let porting: FeatureMethods<"porting">;

function portInRequest(overrides: Partial<CarrierPortInRequest> = {}): CarrierPortInRequest {
  return {
    numbers: [phone(WIRELINE)],
    orderReference: "ng-clock-1",
    losingCarrierName: "IntegraTelecom",
    authorizedName: "John Doe",
    authorizedEmail: "john@example.com",
    accountNumber: undefined,
    pin: undefined,
    serviceAddress: { addressLines: ["1623 Brockton Ave"], locality: "Raleigh", administrativeArea: "NC", postalCode: "27601", regionCode: "US" },
    requestedPortDate: weekdayAhead(10),
    carrierDocuments: [],
    notificationUrl: undefined,
    ...overrides,
  };
}

async function pollUntil(carrierOrderId: string, wanted: CarrierPortInState, polls = 8): Promise<{ seen: string[]; last: CarrierPortInStatus | undefined }> {
  const seen: string[] = [];
  let last: CarrierPortInStatus | undefined;
  for (let poll = 0; poll < polls && last?.state !== wanted; poll += 1) {
    last = await porting.doGetPortIn(carrierOrderId, {});
    if (seen.at(-1) !== last.carrierStatus) seen.push(last.carrierStatus);
  }
  return { seen, last };
}

describe("bandwidth sandbox porting clock", () => {
  beforeEach(async () => {
    clock = Date.now() + 60 * DAY_MS;
    started = await bandwidthCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false, portingClock: () => clock });
    started.emulator.numbers.pollsBeforeFinal = 1;
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    const offered = featureMethods(started.connection.createAdapter({ dispatcher }), "porting");
    if (!offered) throw new Error("bandwidth does not offer porting");
    porting = offered;
  });
  afterEach(async () => {
    expect(specViolations("bandwidth", started.emulator.requests)).toEqual([]);
    await porting.close();
    await started.emulator.stop();
    await dispatcher.destroy();
  });

  it("accepts a FOC date 10 days ahead of real time, though past on the porting clock, and walks it to completion", async () => {
    const requested = weekdayAhead(10);
    const created = await porting.doCreatePortIn(portInRequest({ requestedPortDate: requested }), {});
    expect(created).toMatchObject({ state: "awaiting_documents", carrierStatus: "PENDING_DOCUMENTS" });
    const attached = await porting.doAttachPortInDocument(created.carrierOrderId, LOA, {});
    expect(attached).toMatchObject({ state: "submitted", carrierStatus: "SUBMITTED" });
    // The walk's timestamps are on the porting clock.
    expect(attached.statusTime).toEqual(new Date(clock));

    const walk = await pollUntil(created.carrierOrderId, "completed");
    // The porting clock is past the FOC date: FOC, then COMPLETE on the next GETs.
    expect(walk.seen).toContain("FOC");
    expect(walk.last).toMatchObject({ state: "completed", carrierStatus: "COMPLETE", focDate: requested });
    expect(started.emulator.numbers.owned.has("9195550105")).toBe(true);
  });

  it("reaches an accepted FOC date on the porting clock: scheduled until that clock gets there", async () => {
    const requested = weekdayAhead(10);
    clock = Date.now();
    const created = await porting.doCreatePortIn(portInRequest({ requestedPortDate: requested }), {});
    await porting.doAttachPortInDocument(created.carrierOrderId, LOA, {});
    expect((await pollUntil(created.carrierOrderId, "foc_scheduled")).last).toMatchObject({ state: "foc_scheduled", focDate: requested });
    expect((await pollUntil(created.carrierOrderId, "completed", 3)).last?.state).toBe("foc_scheduled");
    clock = requested.getTime();
    expect((await pollUntil(created.carrierOrderId, "completed")).last).toMatchObject({ state: "completed", statusTime: requested });
  });

  it("still refuses dates real time rules out, with Bandwidth's codes", async () => {
    const past = await carrierError(() => porting.doCreatePortIn(portInRequest({ orderReference: "ng-past", requestedPortDate: new Date(Date.now() - DAY_MS) }), {}));
    expect(past).toMatchObject({ kind: "invalid_request", carrierCode: "7208" });
    // 45 days ahead of real time is before the porting clock, yet too far on the request clock.
    const far = await carrierError(() => porting.doCreatePortIn(portInRequest({ orderReference: "ng-far", requestedPortDate: weekdayAhead(45) }), {}));
    expect(far).toMatchObject({ kind: "invalid_request", carrierCode: "7210" });
  });

  it("derives the default FOC date (none requested) from the porting clock", async () => {
    const created = await porting.doCreatePortIn(portInRequest({ requestedPortDate: undefined }), {});
    await porting.doAttachPortInDocument(created.carrierOrderId, LOA, {});
    const scheduled = (await pollUntil(created.carrierOrderId, "foc_scheduled")).last;
    expect(scheduled?.state).toBe("foc_scheduled");
    expect(scheduled?.focDate?.getTime()).toBeGreaterThanOrEqual(clock + DAY_MS);
  });
});

describe("focDateFor's clocks", () => {
  const carrier = losingCarrierOf("9195550105");

  it("judges a requested date on the request clock, which defaults to the porting clock", () => {
    const porting = Date.now() + 60 * DAY_MS;
    const requested = weekdayAhead(10).toISOString();
    expect(focDateFor(requested, carrier, porting)).toMatchObject({ code: "7208" });
    expect(focDateFor(requested, carrier, porting, Date.now())).toEqual({ focDate: requested });
    const fromPorting = focDateFor(undefined, carrier, porting, Date.now());
    expect("focDate" in fromPorting && Date.parse(fromPorting.focDate)).toBeGreaterThanOrEqual(porting + DAY_MS);
  });
});
