import { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bandwidthCarrier } from "../../src/carriers/bandwidth/bandwidth-carrier.js";
import type { CarrierEmulator } from "../../src/carriers/emulator-kit/carrier-emulator.js";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { featureMethods, type FeatureMethods } from "../../src/domain/carrier-adapter.js";
import type { CarrierPortabilityAnswer } from "../../src/domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import { specViolations } from "../support/official-spec.js";
import { carrierError, phone } from "./carrier-test-kit.js";

/**
 * Bandwidth's portability check (lnpchecker?fullCheck=true) through the adapter, against the emulator's rules
 * (bandwidth-emulator-lnp.ts): 555 exchanges of an emulated area code are portable, the last digit picking the losing
 * carrier (0-3 "Test Losing Carrier L3", 4-6 "IntegraTelecom", 7-9 "Emulated Wireless", which needs the account
 * number); NPA 907 is an unsupported rate center; numbers Bandwidth sells are its own (an unsupported losing carrier).
 */

const L3 = "+19195550102";
const INTEGRA = "+19195550105";
const WIRELESS = "+19195550108";
const ANCHORAGE = "+19075550103";
const LONDON = "+442079460123";

let started: StartedEmulator<CarrierEmulator>;
let dispatcher: Agent;
let portability: FeatureMethods<"portability">;

beforeAll(async () => {
  started = await bandwidthCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const adapter = started.connection.createAdapter({ dispatcher });
  const offered = featureMethods(adapter, "portability");
  if (!offered) throw new Error("bandwidth does not offer portability checks");
  portability = offered;
});
afterAll(async () => {
  await portability.close();
  await started.emulator.stop();
  await dispatcher.destroy();
});
afterEach(() => {
  started.emulator.faults.clear();
  expect(specViolations("bandwidth", started.emulator.requests)).toEqual([]);
  started.emulator.requests.length = 0;
});

function check(...numbers: readonly ParsedPhoneNumber[]): Promise<readonly CarrierPortabilityAnswer[]> {
  return portability.doCheckPortability(numbers, {});
}

function portable(e164: string, losingCarrierName: string, accountNumberRequired: boolean, numberType: "local" | "mobile"): CarrierPortabilityAnswer {
  return { e164, portable: true, notPortableReason: undefined, losingCarrierName, accountNumberRequired, numberType };
}

describe("bandwidth portability checks", () => {
  it("answers portable numbers with their losing carrier, in one lnpchecker request", async () => {
    expect(await check(phone(L3), phone(INTEGRA))).toEqual([
      portable(L3, "Test Losing Carrier L3", false, "local"),
      portable(INTEGRA, "IntegraTelecom", false, "local"),
    ]);
    expect(started.emulator.requests).toHaveLength(1);
    expect(started.emulator.requests[0]).toMatchObject({ method: "POST" });
  });

  it("says when the losing carrier needs the account number, and that a wireless carrier's number is mobile", async () => {
    expect(await check(phone(WIRELESS))).toEqual([portable(WIRELESS, "Emulated Wireless", true, "mobile")]);
  });

  it("answers an unsupported rate center as not portable, in Bandwidth's words", async () => {
    const [answer] = await check(phone(ANCHORAGE));
    expect(answer).toMatchObject({ e164: ANCHORAGE, portable: false, losingCarrierName: undefined, accountNumberRequired: false });
    expect(answer?.notPortableReason).toContain("unsupported rate center ANCHORAGE, AK");
  });

  it("answers a number that is already Bandwidth's as not portable, naming Bandwidth as its carrier", async () => {
    const { numbers } = await portability.doSearch({ countryCode: "US", numberType: "local", areaCode: "212", features: [], limit: 1 }, {});
    const owned = numbers[0]?.phoneNumber ?? "";
    const [answer] = await check(phone(owned));
    expect(answer).toMatchObject({ e164: owned, portable: false, losingCarrierName: "Bandwidth", accountNumberRequired: false });
    expect(answer?.notPortableReason).toContain("unsupported losing carrier Bandwidth");
  });

  it("answers a non-NANP number as not portable without asking Bandwidth", async () => {
    expect(await check(phone(LONDON))).toEqual([
      { e164: LONDON, portable: false, notPortableReason: expect.stringContaining("NANP") as unknown, losingCarrierName: undefined, accountNumberRequired: false, numberType: undefined },
    ]);
    expect(started.emulator.requests).toHaveLength(0);
  });

  it("answers a mixed batch one answer per asked number, in the order asked, repeats included", async () => {
    const asked = [WIRELESS, LONDON, ANCHORAGE, L3, INTEGRA, L3];
    const answers = await check(...asked.map(phone));
    expect(answers.map((answer) => answer.e164)).toEqual(asked);
    expect(answers.map((answer) => answer.portable)).toEqual([true, false, false, true, true, true]);
    expect(answers.map((answer) => answer.losingCarrierName)).toEqual([
      "Emulated Wireless",
      undefined,
      undefined,
      "Test Losing Carrier L3",
      "IntegraTelecom",
      "Test Losing Carrier L3",
    ]);
    // Bandwidth refuses duplicate TNs (7360): the repeated number goes on the wire once.
    expect(started.emulator.requests).toHaveLength(1);
  });

  it("maps Bandwidth's 400 for a TN that is not NANP (7201) through its error function", async () => {
    const unassignable: ParsedPhoneNumber = { e164: "+11235550100", countryCode: "US", callingCode: "1", nationalNumber: "1235550100", numberType: undefined };
    const error = await carrierError(() => check(phone(L3), unassignable));
    expect(error).toMatchObject({ kind: "invalid_request", carrierId: "bandwidth", operation: "portability", httpStatus: 400, carrierCode: "7201" });
  });

  it("maps a refused login to auth and a carrier failure to carrier_server", async () => {
    started.emulator.faults.inject({ kind: "status", status: 401, times: 1 });
    expect(await carrierError(() => check(phone(L3)))).toMatchObject({ kind: "auth", carrierId: "bandwidth", operation: "portability", requestMayHaveReachedCarrier: true });
    started.emulator.faults.inject({ kind: "status", status: 503, times: 1 });
    expect(await carrierError(() => check(phone(L3)))).toMatchObject({ kind: "carrier_server", operation: "portability" });
    started.emulator.faults.inject({ kind: "malformed", times: 1 });
    expect(await carrierError(() => check(phone(L3)))).toMatchObject({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE" });
  });
});
