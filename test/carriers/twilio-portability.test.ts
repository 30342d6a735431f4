import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { TwilioAdapter } from "../../src/carriers/twilio/twilio-adapter.js";
import { twilioCarrier } from "../../src/carriers/twilio/twilio-carrier.js";
import type { TwilioEmulator } from "../../src/carriers/twilio/twilio-emulator.js";
import { featureMethods, type CarrierAdapter } from "../../src/domain/carrier-adapter.js";
import { specViolations } from "../support/official-spec.js";
import { carrierError, phone } from "./carrier-test-kit.js";

/**
 * Twilio's portability check through the adapter against the emulator, whose rule (twilio-emulator-portability.ts)
 * is: US only (22130), toll-free and area code 907 manual only (22133), already on the account (22131), Twilio's own
 * stock (22132); otherwise portable, MOBILE (exchange starting with 9, PIN and account number needed) or LOCAL.
 */

// Area code 720 is outside the emulator's stock, so these are numbers held at another carrier.
const LOCAL = "+17203141592";
const MOBILE = "+17209261234";
const TOLL_FREE = "+18005550199";
const ALASKA = "+19072741234";
const LONDON = "+442071838750";

let started: StartedEmulator<TwilioEmulator>;
let emulator: TwilioEmulator;
let dispatcher: Agent;
let adapter: CarrierAdapter;

beforeEach(async () => {
  started = await twilioCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  adapter = started.connection.createAdapter({ dispatcher });
});
afterEach(async () => {
  // Every request of every test is one Twilio's official spec accepts.
  expect(specViolations("twilio", emulator.requests)).toEqual([]);
  await adapter.close();
  await emulator.stop();
  await dispatcher.destroy();
});

function check(numbers: readonly string[], signal?: AbortSignal) {
  const portability = featureMethods(adapter, "portability");
  if (!portability) throw new Error("twilio does not offer portability checks");
  return portability.doCheckPortability(numbers.map(phone), { signal });
}

const portabilityRequests = () => emulator.requests.filter((request) => request.path.startsWith("/v1/Porting/Portability/PhoneNumber/"));

describe("Twilio portability check", () => {
  it("is declared in the descriptor and offered as a feature", () => {
    expect(adapter.descriptor.supportsPortabilityChecks).toBe(true);
    expect(featureMethods(adapter, "portability")).toBeDefined();
  });

  it("answers a portable local number, asking Numbers v1 with the number URL-encoded for the configured account", async () => {
    expect(await check([LOCAL])).toEqual([
      { e164: LOCAL, portable: true, notPortableReason: undefined, losingCarrierName: undefined, accountNumberRequired: false, numberType: "local" },
    ]);
    const [request] = portabilityRequests();
    expect(request?.method).toBe("GET");
    expect(request?.path).toBe(`/v1/Porting/Portability/PhoneNumber/${encodeURIComponent(LOCAL)}`);
    expect(request?.query.get("TargetAccountSid")).toBe(emulator.credentials.accountSid);
  });

  it("says a portable mobile number needs the losing carrier's account number and PIN", async () => {
    expect(await check([MOBILE])).toEqual([
      { e164: MOBILE, portable: true, notPortableReason: undefined, losingCarrierName: undefined, accountNumberRequired: true, numberType: "mobile" },
    ]);
  });

  it("gives Twilio's reason and code for numbers that are not portable", async () => {
    const answers = await check([TOLL_FREE, ALASKA, LONDON]);
    expect(answers).toEqual([
      { e164: TOLL_FREE, portable: false, notPortableReason: "MANUAL_PORTING_AVAILABLE (22133)", losingCarrierName: undefined, accountNumberRequired: false, numberType: "toll_free" },
      { e164: ALASKA, portable: false, notPortableReason: "MANUAL_PORTING_AVAILABLE (22133)", losingCarrierName: undefined, accountNumberRequired: false, numberType: "local" },
      // UNKNOWN is no type numbergate names.
      { e164: LONDON, portable: false, notPortableReason: "UNSUPPORTED (22130)", losingCarrierName: undefined, accountNumberRequired: false, numberType: undefined },
    ]);
  });

  it("answers a mixed batch one per number in the order asked, including numbers already at Twilio", async () => {
    const [forSale = "", owned = ""] = (await adapter.doSearch({ countryCode: "US", numberType: "local", areaCode: "212", features: [], limit: 2 }, {})).numbers.map((offer) => offer.phoneNumber);
    emulator.addOwned(owned);
    const asked = [owned, LOCAL, TOLL_FREE, MOBILE, forSale, ALASKA, LONDON, LOCAL];

    const answers = await check(asked);
    expect(answers.map((answer) => answer.e164)).toEqual(asked);
    expect(answers.map((answer) => [answer.portable, answer.notPortableReason])).toEqual([
      [false, "ALREADY_IN_THE_TARGET_ACCOUNT (22131)"],
      [true, undefined],
      [false, "MANUAL_PORTING_AVAILABLE (22133)"],
      [true, undefined],
      [false, "ALREADY_IN_TWILIO_DIFFERENT_OWNER (22132)"],
      [false, "MANUAL_PORTING_AVAILABLE (22133)"],
      [false, "UNSUPPORTED (22130)"],
      [true, undefined],
    ]);
    expect(portabilityRequests()).toHaveLength(asked.length);
  });

  it("answers an empty batch without calling Twilio", async () => {
    await expect(check([])).resolves.toEqual([]);
    expect(portabilityRequests()).toHaveLength(0);
  });

  it("asks at most 5 numbers at a time", async () => {
    emulator.faults.inject({ kind: "hold", method: "GET", pathIncludes: "/v1/Porting/Portability/" });
    const asked = Array.from({ length: 12 }, (_, index) => `+1720314${String(1000 + index)}`);
    const running = check(asked);
    await vi.waitFor(() => expect(emulator.heldRequests).toBe(5));
    // Every request started is held, so a sixth could only have been sent without waiting for a free slot.
    expect(portabilityRequests()).toHaveLength(5);

    emulator.faults.clear();
    emulator.releaseHeld();
    const answers = await running;
    expect(answers.map((answer) => answer.e164)).toEqual(asked);
    expect(answers.every((answer) => answer.portable)).toBe(true);
  });

  it("fails the whole check with the error of the one number that failed", async () => {
    emulator.faults.inject({ kind: "status", status: 500, pathIncludes: MOBILE.slice(1), times: 1 });
    const error = await carrierError(() => check([LOCAL, MOBILE, TOLL_FREE]));
    expect(error).toMatchObject({ kind: "carrier_server", carrierId: "twilio", operation: "portability", httpStatus: 500, carrierCode: "20500" });
  });

  it("maps a 503 to carrier_server", async () => {
    emulator.faults.inject({ kind: "status", status: 503, pathIncludes: "/v1/Porting/Portability/" });
    const error = await carrierError(() => check([LOCAL]));
    expect(error).toMatchObject({ kind: "carrier_server", operation: "portability", httpStatus: 503 });
  });

  it("maps rejected credentials (401) to auth", async () => {
    const { accountSid } = emulator.credentials;
    const wrong = new TwilioAdapter({
      accountSid,
      username: accountSid,
      password: "not-the-token",
      apiBaseUrl: new URL(emulator.origin),
      numbersBaseUrl: new URL(emulator.origin),
      dispatcher,
    });
    try {
      const error = await carrierError(() => wrong.doCheckPortability([phone(LOCAL)], {}));
      expect(error).toMatchObject({ kind: "auth", carrierId: "twilio", operation: "portability", httpStatus: 401, carrierCode: "20003" });
    } finally {
      await wrong.close();
    }
  });

  it("stops when the caller's signal is aborted", async () => {
    emulator.faults.inject({ kind: "hold", method: "GET", pathIncludes: "/v1/Porting/Portability/" });
    const caller = new AbortController();
    const running = check([LOCAL, MOBILE], caller.signal);
    await vi.waitFor(() => expect(emulator.heldRequests).toBe(2));
    caller.abort(new Error("caller gave up"));
    await expect(running).rejects.toThrow("caller gave up");
  });
});
