import { randomBytes } from "node:crypto";
import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { twilioCarrier } from "../../src/carriers/twilio/twilio-carrier.js";
import type { TwilioEmulator } from "../../src/carriers/twilio/twilio-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { Secret } from "../../src/config/secret.js";
import { featureMethods, type FeatureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierPortInRequest, CarrierPortInStatus } from "../../src/domain/carrier-lifecycle.js";
import { specViolations } from "../support/official-spec.js";
import { phone } from "./carrier-test-kit.js";

/**
 * Sandbox mode walks the emulator's port-ins on an accelerated porting clock (EmulatorOptions.portingClock) that runs
 * ahead of real time. numbergate asks for target dates in real time, so the emulator judges target_port_in_date on real
 * time (its request clock) and walks the port-in on the porting clock: here that clock is 60 days ahead.
 */

const DAY_MS = 86_400_000;
/** The emulator's default step on the porting clock (twilio-emulator.ts). */
const STEP_MS = 2_000;
const LOCAL = "+17203141592";
const BILL = `RD${"ab".repeat(16)}`;

let clock = 0;
let started: StartedEmulator<TwilioEmulator>;
let dispatcher: Agent;
let porting: FeatureMethods<"porting">;

function portIn(overrides: Partial<CarrierPortInRequest> = {}): CarrierPortInRequest {
  return {
    numbers: [phone(LOCAL)],
    orderReference: `ng-${randomBytes(6).toString("hex")}`,
    losingCarrierName: "Old Telco",
    authorizedName: "Jane Smith",
    authorizedEmail: "jane@example.com",
    accountNumber: new Secret("ACCT-4409-7781"),
    pin: new Secret("857311"),
    serviceAddress: { addressLines: ["1 Main St"], locality: "Denver", administrativeArea: "CO", postalCode: "80202", regionCode: "US" },
    requestedPortDate: undefined,
    carrierDocuments: [{ kind: "bill_copy", carrierDocumentId: BILL }],
    notificationUrl: undefined,
    ...overrides,
  };
}

/** Reads the port-in, moving the porting clock a step before each read, until it is completed; the states seen. */
async function walkToCompletion(carrierOrderId: string, polls = 10): Promise<{ seen: string[]; last: CarrierPortInStatus | undefined }> {
  const seen: string[] = [];
  let last: CarrierPortInStatus | undefined;
  for (let poll = 0; poll < polls && last?.state !== "completed"; poll += 1) {
    clock += STEP_MS;
    last = await porting.doGetPortIn(carrierOrderId, {});
    if (seen.at(-1) !== last.state) seen.push(last.state);
  }
  return { seen, last };
}

describe("twilio sandbox porting clock", () => {
  beforeEach(async () => {
    // Whole seconds: Twilio's timestamps have no milliseconds.
    clock = Math.floor((Date.now() + 60 * DAY_MS) / 1000) * 1000;
    started = await twilioCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false, portingClock: () => clock });
    dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
    const offered = featureMethods(started.connection.createAdapter({ dispatcher }), "porting");
    if (!offered) throw new Error("twilio does not offer porting");
    porting = offered;
  });
  afterEach(async () => {
    expect(specViolations("twilio", started.emulator.requests)).toEqual([]);
    await porting.close();
    await started.emulator.stop();
    await dispatcher.destroy();
  });

  it("accepts a target date 10 days ahead of real time, though past on the porting clock, and walks it to completion", async () => {
    const requested = new Date(Date.now() + 10 * DAY_MS);
    const created = await porting.doCreatePortIn(portIn({ requestedPortDate: requested }), {});
    expect(created).toMatchObject({ state: "awaiting_documents" });
    // The walk's timestamps are on the porting clock.
    expect(created.statusTime).toEqual(new Date(clock));
    const sent = started.emulator.requests.find((request) => request.method === "POST" && request.path === "/v1/Porting/PortIn");
    expect(JSON.parse(sent?.body ?? "{}")).toMatchObject({ target_port_in_date: requested.toISOString().slice(0, 10) });

    const walk = await walkToCompletion(created.carrierOrderId);
    expect(walk.seen).toContain("foc_scheduled");
    expect(walk.last).toMatchObject({ state: "completed" });
    expect(started.emulator.owned.has(LOCAL)).toBe(true);
  });

  it("reaches an accepted target date on the porting clock: scheduled until that clock gets there", async () => {
    clock = Date.now();
    const requested = new Date(Date.now() + 10 * DAY_MS);
    const midnight = Date.parse(`${requested.toISOString().slice(0, 10)}T00:00:00Z`);
    const created = await porting.doCreatePortIn(portIn({ requestedPortDate: requested }), {});
    const walk = await walkToCompletion(created.carrierOrderId, 5);
    expect(walk.last).toMatchObject({ state: "foc_scheduled", focDate: new Date(midnight) });
    clock = midnight;
    expect((await walkToCompletion(created.carrierOrderId, 1)).last).toMatchObject({ state: "completed" });
  });
});
