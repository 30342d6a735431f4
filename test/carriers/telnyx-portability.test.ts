import { Agent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StartedEmulator } from "../../src/carriers/kit/carrier-definition.js";
import { TelnyxAdapter } from "../../src/carriers/telnyx/telnyx-adapter.js";
import { telnyxCarrier } from "../../src/carriers/telnyx/telnyx-carrier.js";
import type { TelnyxEmulator } from "../../src/carriers/telnyx/telnyx-emulator.js";
import { featureMethods } from "../../src/domain/carrier-adapter.js";
import { specViolations } from "../support/official-spec.js";
import { failure, phone } from "./carrier-test-kit.js";

/**
 * Telnyx's portability check through its adapter against its emulator. The emulator's rule
 * (telnyx-emulator-portability.ts): +1 numbers are portable unless Telnyx sells them or the account holds them;
 * anything else has "No coverage". Telnyx's answer names no losing carrier, account-number need or number type.
 */

let started: StartedEmulator<TelnyxEmulator>;
let emulator: TelnyxEmulator;
let dispatcher: Agent;
let telnyx: TelnyxAdapter;

beforeEach(async () => {
  started = await telnyxCarrier.startEmulator({ host: "127.0.0.1", port: 0, stateFile: undefined, fixedCredentials: false });
  emulator = started.emulator;
  dispatcher = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  const adapter = started.connection.createAdapter({ dispatcher });
  if (!(adapter instanceof TelnyxAdapter)) throw new Error("the telnyx connection builds a TelnyxAdapter");
  telnyx = adapter;
});
afterEach(async () => {
  emulator.faults.clear();
  expect(specViolations("telnyx", emulator.requests)).toEqual([]);
  await telnyx.close();
  await emulator.stop();
  await dispatcher.close();
});

/** A number Telnyx itself sells: already with Telnyx, so not portable in. */
async function telnyxOwn(): Promise<string> {
  const [number] = (await telnyx.doSearch({ countryCode: "US", numberType: "local", features: [], areaCode: "303", limit: 1 }, {})).numbers.map((offer) => offer.phoneNumber);
  if (number === undefined) throw new Error("the emulator sells a 303 number");
  return number;
}

function portableAnswer(e164: string): Record<string, unknown> {
  return { e164, portable: true, notPortableReason: undefined, losingCarrierName: undefined, accountNumberRequired: false, numberType: undefined };
}

function notPortableAnswer(e164: string, reason: string): Record<string, unknown> {
  return { e164, portable: false, notPortableReason: reason, losingCarrierName: undefined, accountNumberRequired: false, numberType: undefined };
}

describe("Telnyx portability check", () => {
  it("is declared, and offered as the portability feature", () => {
    expect(telnyx.descriptor.supportsPortabilityChecks).toBe(true);
    expect(featureMethods(telnyx, "portability")).toBeDefined();
  });

  it("a +1 number from another carrier: portable, in one POST /portability_checks", async () => {
    await expect(telnyx.doCheckPortability([phone("+17205550100")], {})).resolves.toEqual([portableAnswer("+17205550100")]);
    const sent = emulator.requests.filter((request) => request.path === "/v2/portability_checks");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.method).toBe("POST");
    expect(JSON.parse(sent[0]?.body ?? "{}")).toEqual({ phone_numbers: ["+17205550100"] });
  });

  it("not portable: Telnyx's own number and a foreign one, in Telnyx's words", async () => {
    const own = await telnyxOwn();
    await expect(telnyx.doCheckPortability([phone(own), phone("+442071234567")], {})).resolves.toEqual([
      notPortableAnswer(own, "Phone number is already with Telnyx"),
      notPortableAnswer("+442071234567", "No coverage"),
    ]);
  });

  it("a mixed batch: one answer per number, in the order asked, a repeated number sent once and answered twice", async () => {
    const own = await telnyxOwn();
    const asked = ["+442071234567", "+19705550100", own, "+17205550100", "+19705550100"];
    const answers = await telnyx.doCheckPortability(asked.map(phone), {});
    expect(answers).toEqual([
      notPortableAnswer("+442071234567", "No coverage"),
      portableAnswer("+19705550100"),
      notPortableAnswer(own, "Phone number is already with Telnyx"),
      portableAnswer("+17205550100"),
      portableAnswer("+19705550100"),
    ]);
    const sent = emulator.requests.filter((request) => request.path === "/v2/portability_checks");
    expect(JSON.parse(sent[0]?.body ?? "{}")).toEqual({ phone_numbers: ["+442071234567", "+19705550100", own, "+17205550100"] });
  });

  it("no numbers: no request, no answers", async () => {
    await expect(telnyx.doCheckPortability([], {})).resolves.toEqual([]);
    expect(emulator.requests.filter((request) => request.path === "/v2/portability_checks")).toHaveLength(0);
  });

  it("wrong credentials: auth (10009)", async () => {
    const wrong = new TelnyxAdapter({ apiKey: "KEYWRONG0000_secretsecret", apiBaseUrl: new URL(emulator.baseUrl), dispatcher });
    try {
      await expect(failure(wrong.doCheckPortability([phone("+17205550100")], {}))).resolves.toMatchObject({
        kind: "auth",
        carrierId: "telnyx",
        operation: "portability",
        httpStatus: 401,
        carrierCode: "10009",
      });
    } finally {
      await wrong.close();
    }
  });

  it("a 401 fault: auth", async () => {
    emulator.faults.inject({ kind: "status", status: 401, method: "POST", times: 1 });
    await expect(failure(telnyx.doCheckPortability([phone("+17205550100")], {}))).resolves.toMatchObject({ kind: "auth", httpStatus: 401, operation: "portability" });
  });

  it("a 5xx: carrier_server, retryable", async () => {
    emulator.faults.inject({ kind: "status", status: 503, method: "POST", times: 1 });
    await expect(failure(telnyx.doCheckPortability([phone("+17205550100")], {}))).resolves.toMatchObject({
      kind: "carrier_server",
      httpStatus: 503,
      operation: "portability",
      isRetryable: true,
    });
  });

  it("an unreadable answer: carrier_server MALFORMED_RESPONSE", async () => {
    emulator.faults.inject({ kind: "malformed", method: "POST", times: 1 });
    await expect(failure(telnyx.doCheckPortability([phone("+17205550100")], {}))).resolves.toMatchObject({ kind: "carrier_server", carrierCode: "MALFORMED_RESPONSE" });
  });
});
