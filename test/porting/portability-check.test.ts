import { describe, expect, it } from "vitest";
import type { CarrierCallOptions, CarrierDescriptor } from "../../src/domain/carrier-adapter.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import type { CarrierPortabilityAnswer } from "../../src/domain/carrier-lifecycle.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import { AllCarriersFailedError, NoEligibleCarrierError } from "../../src/domain/service-errors.js";
import { ProviderManager } from "../../src/manager/provider-manager.js";
import { PortabilityChecker } from "../../src/porting/portability-check.js";
import { descriptor, register, ScriptedCarrier } from "../manager/scripted-carrier.js";

function phone(e164: string): ParsedPhoneNumber {
  const parsed = parsePhoneNumber(e164);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.number;
}

/** A scripted gaining carrier: portable unless the number ends in 0; fails every call when told to. */
class PortabilityCarrier extends ScriptedCarrier {
  readonly asked: string[][] = [];
  failWith: Error | undefined;

  constructor(id: string, overrides: Partial<CarrierDescriptor> = {}) {
    super(descriptor(id, { supportsPortabilityChecks: true, ...overrides }));
  }

  async doCheckPortability(numbers: readonly ParsedPhoneNumber[], _options: CarrierCallOptions): Promise<readonly CarrierPortabilityAnswer[]> {
    this.asked.push(numbers.map((number) => number.e164));
    if (this.failWith) throw this.failWith;
    return numbers.map((number) => ({
      e164: number.e164,
      portable: !number.e164.endsWith("0"),
      notPortableReason: number.e164.endsWith("0") ? `${this.descriptor.id} cannot port it` : undefined,
      losingCarrierName: "Losing Co",
      accountNumberRequired: false,
      numberType: "local",
    }));
  }
}

const serverError = (carrierId: string) => new CarrierError({ kind: "carrier_server", carrierId, operation: "portability", message: `${carrierId} is down`, httpStatus: 503, requestMayHaveReachedCarrier: true });

describe("CheckPortability across gaining carriers", () => {
  it("asks every carrier that checks portability, in parallel, and answers per number and carrier in the order asked", async () => {
    const [first, second, silent] = [new PortabilityCarrier("twilio"), new PortabilityCarrier("telnyx"), new ScriptedCarrier(descriptor("vonage"))];
    const checker = new PortabilityChecker(new ProviderManager({ registrations: [register(first, 1), register(second, 2), register(silent, 3)] }));
    const { results, outcomes } = await checker.check({ numbers: [phone("+12125550101"), phone("+12125550100")], carrierId: undefined });
    expect(outcomes.map((outcome) => [outcome.carrierId, outcome.state, outcome.numbersReturned, outcome.detail])).toEqual([
      ["twilio", "answered", 2, ""],
      ["telnyx", "answered", 2, ""],
      ["vonage", "skipped", 0, "checks no portability"],
    ]);
    expect(results.map((result) => [result.e164, result.carrierId, result.portable])).toEqual([
      ["+12125550101", "twilio", true],
      ["+12125550101", "telnyx", true],
      ["+12125550100", "twilio", false],
      ["+12125550100", "telnyx", false],
    ]);
    expect(results[2]?.notPortableReason).toBe("twilio cannot port it");
  });

  it("asks only the named carrier, and answers again from its cache for a while", async () => {
    // lru-cache reads a start time of 0 as "no TTL": the clock starts later.
    let now = 1;
    const [first, second] = [new PortabilityCarrier("twilio"), new PortabilityCarrier("telnyx")];
    const checker = new PortabilityChecker(new ProviderManager({ registrations: [register(first, 1), register(second, 2)] }), { ttlMs: 1000, now: () => now });
    await checker.check({ numbers: [phone("+12125550101")], carrierId: "telnyx" });
    await checker.check({ numbers: [phone("+12125550101"), phone("+12125550102")], carrierId: "telnyx" });
    expect(first.asked).toEqual([]);
    expect(second.asked).toEqual([["+12125550101"], ["+12125550102"]]);
    now = 1002;
    await checker.check({ numbers: [phone("+12125550101")], carrierId: "telnyx" });
    expect(second.asked).toEqual([["+12125550101"], ["+12125550102"], ["+12125550101"]]);
  });

  it("leaves out a carrier that fails while another answers; fails with the carriers' errors when none does", async () => {
    const [first, second] = [new PortabilityCarrier("twilio"), new PortabilityCarrier("telnyx")];
    const checker = new PortabilityChecker(new ProviderManager({ registrations: [register(first, 1), register(second, 2)] }), { ttlMs: 0 });
    first.failWith = serverError("twilio");
    const { results, outcomes } = await checker.check({ numbers: [phone("+12125550101")], carrierId: undefined });
    expect(results.map((result) => result.carrierId)).toEqual(["telnyx"]);
    // The caller sees which carrier failed, and why, beside the answers of the others.
    expect(outcomes.map((outcome) => [outcome.carrierId, outcome.state, outcome.reason])).toEqual([
      ["twilio", "failed", "CARRIER_SERVER_ERROR"],
      ["telnyx", "answered", undefined],
    ]);
    second.failWith = serverError("telnyx");
    await expect(checker.check({ numbers: [phone("+12125550102")], carrierId: undefined })).rejects.toBeInstanceOf(AllCarriersFailedError);
    await expect(checker.check({ numbers: [phone("+12125550103")], carrierId: "telnyx" })).rejects.toMatchObject({ kind: "carrier_server", carrierId: "telnyx" });
  });

  it("refuses, naming why, when no enabled carrier checks portability", async () => {
    const checker = new PortabilityChecker(new ProviderManager({ registrations: [register(new ScriptedCarrier(descriptor("vonage")), 1), register(new PortabilityCarrier("twilio"), 2, false)] }));
    const refused = checker.check({ numbers: [phone("+12125550101")], carrierId: undefined });
    await expect(refused).rejects.toBeInstanceOf(NoEligibleCarrierError);
    await expect(refused).rejects.toThrow("no enabled carrier checks portability: vonage: checks no portability; twilio: disabled");
  });
});
