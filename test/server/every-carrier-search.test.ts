import { afterEach, describe, expect, it } from "vitest";
import { Capability } from "../../generated/numbergate/v1/common.js";
import { ProviderOutcomeState, type AvailableNumber } from "../../generated/numbergate/v1/numbers.js";
import { CARRIERS } from "../../src/carriers/registry.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

/**
 * SearchNumbers over real gRPC at every registered carrier's emulator: each one alone, then all of them in one
 * priority tier (merged, deduplicated, ranked by price, in about the time of the slowest).
 */
const VOICE_IN_212 = { countryCode: "US", areaCode: "212", features: [Capability.CAPABILITY_VOICE] };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Prices in ranking order: known before unknown, US dollars first, each currency cheapest first. */
function rankingProblems(numbers: readonly AvailableNumber[]): string[] {
  const problems: string[] = [];
  const currencyRank = (number: AvailableNumber) => (number.monthlyPrice === undefined ? 2 : number.monthlyPrice.currencyCode === "USD" ? 0 : 1);
  numbers.slice(1).forEach((number, index) => {
    const before = numbers[index] as AvailableNumber;
    const [left, right] = [currencyRank(before), currencyRank(number)];
    const cheaperAfter = left === right && left < 2 && before.monthlyPrice?.currencyCode === number.monthlyPrice?.currencyCode && (number.monthlyPrice?.amountCents ?? 0) < (before.monthlyPrice?.amountCents ?? 0);
    if (right < left || cheaperAfter) problems.push(`${number.phoneNumber} (${number.providerId}) ranked after ${before.phoneNumber} (${before.providerId})`);
  });
  return problems;
}

describe.each(CARRIERS.map((carrier) => ({ carrier: carrier.id })))("$carrier alone", ({ carrier }) => {
  it("answers SearchNumbers (US, 212, voice) with its own numbers, priced", async () => {
    const subject = (harness = await startHarness(onlyCarriers(carrier)));
    const response = await subject.client.searchNumbers({ ...VOICE_IN_212, limit: 20 });
    expect(response.numbers).toHaveLength(20);
    for (const number of response.numbers) {
      // Locality is not checked: Vonage's search answer carries none.
      expect(number.providerId).toBe(carrier);
      expect(number.phoneNumber).toMatch(/^\+1212\d{7}$/);
      expect(number.capabilities).toContain(Capability.CAPABILITY_VOICE);
      expect(number.monthlyPrice?.amountCents).toBeGreaterThan(0);
    }
    expect(response.providerOutcomes.find((outcome) => outcome.providerId === carrier)).toMatchObject({ state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED, numbersReturned: 20 });
  });
});

describe("every carrier in one priority tier", () => {
  it("answers with one merged, deduplicated, price-ranked list, in about the time of the slowest carrier", async () => {
    const samePriority = Object.fromEntries(CARRIERS.map((carrier) => [`${carrier.envPrefix}_PRIORITY`, "1"]));
    const subject = (harness = await startHarness(samePriority));
    // Connections are opened first, so only the fan-out is measured.
    await subject.client.searchNumbers({ countryCode: "US", areaCode: "303", limit: 5 });
    // 100 ms, 200 ms, ... at successive carriers: the slowest takes 100 ms per registered carrier.
    const emulators = [...subject.sandbox.emulators.values()];
    emulators.forEach((emulator, index) => emulator.faults.inject({ kind: "latency", latencyMs: 100 * (index + 1), method: "GET" }));
    const slowestMs = 100 * emulators.length;

    const durationMs = (outcome: { duration?: { seconds: number; nanos: number } | undefined }) => (outcome.duration?.seconds ?? 0) * 1000 + (outcome.duration?.nanos ?? 0) / 1e6;
    const measured: string[] = [];
    for (const areaCode of ["212", "415"]) {
      const started = performance.now();
      const response = await subject.client.searchNumbers({ ...VOICE_IN_212, areaCode, limit: 100 });
      const totalMs = performance.now() - started;
      // Equal priority: outcomes come in the tier's order (by id under PROVIDER_SELECTION=priority).
      const outcomes = response.providerOutcomes.map((outcome) => `${outcome.providerId} ${ProviderOutcomeState[outcome.state]}`);
      expect(outcomes.sort()).toEqual(CARRIERS.map((carrier) => `${carrier.id} PROVIDER_OUTCOME_STATE_ANSWERED`).sort());
      const numbers = response.numbers.map((number) => number.phoneNumber);
      expect(numbers).toHaveLength(100);
      expect(new Set(numbers).size, "each number once, though every carrier stocks a few of the same").toBe(numbers.length);
      expect(rankingProblems(response.numbers)).toEqual([]);
      // A carrier that pages (Plivo: 20 numbers a page) pays its delay once per round trip, so the slowest
      // carrier is the one whose own answer took longest, as each outcome reports it.
      const slowestCarrierMs = Math.max(...response.providerOutcomes.map(durationMs));
      const carriersSumMs = response.providerOutcomes.reduce((sum, outcome) => sum + durationMs(outcome), 0);
      measured.push(`${totalMs.toFixed(0)} ms (slowest carrier ${slowestCarrierMs.toFixed(0)} ms, all carriers' times added ${carriersSumMs.toFixed(0)} ms)`);
      expect(slowestCarrierMs).toBeGreaterThanOrEqual(slowestMs);
      expect(totalMs).toBeGreaterThanOrEqual(slowestCarrierMs);
      // The slowest carrier's own time plus the merge; asked one after another they would take the sum.
      expect(totalMs).toBeLessThan(slowestCarrierMs + 300);
      expect(totalMs).toBeLessThan(carriersSumMs - 500);
    }
    console.info(`SearchNumbers over ${emulators.length} carriers at 100..${slowestMs} ms in one tier: ${measured.join(", ")}`);
  });
});
