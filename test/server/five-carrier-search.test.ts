import { afterEach, describe, expect, it } from "vitest";
import { ProviderOutcomeState } from "../../generated/numbergate/v1/numbers.js";
import { startHarness, type Harness } from "../support/harness.js";
import { onlyCarriers } from "../support/only-carriers.js";

/**
 * Search fan-out and equal-priority selection over real gRPC against the sandbox emulators. Twilio and
 * Bandwidth are the carriers under test; any other registered carrier is disabled so the counts below
 * stay exact as carriers are added.
 */
const ONLY_TWILIO_AND_BANDWIDTH = onlyCarriers("twilio", "bandwidth");
const SAME_PRIORITY = { ...ONLY_TWILIO_AND_BANDWIDTH, TWILIO_PRIORITY: "1", BANDWIDTH_PRIORITY: "1" };
/** Searches and availability checks at both emulators (Twilio AvailablePhoneNumbers, Bandwidth availableNumbers). */
const READS = "vailable";

/** mulberry32: a small seeded PRNG, so "random" choices repeat exactly from run to run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function timed<Result>(call: () => Promise<Result>): Promise<{ result: Result; ms: number }> {
  const started = performance.now();
  const result = await call();
  return { result, ms: performance.now() - started };
}

/** A number both emulators stock (each shares a few per area code with the other). */
async function sharedNumber(subject: Harness, areaCode: string): Promise<string> {
  const stock = async (providerId: string) =>
    new Set((await subject.client.searchNumbers({ countryCode: "US", areaCode, providerIds: [providerId], limit: 100 })).numbers.map((number) => number.phoneNumber));
  const [twilio, bandwidth] = [await stock("twilio"), await stock("bandwidth")];
  const shared = [...twilio].find((phoneNumber) => bandwidth.has(phoneNumber));
  if (!shared) throw new Error(`no number in ${areaCode} at both emulators`);
  return shared;
}

describe("SearchNumbers fans out to a priority tier at once", () => {
  it("takes about as long as the slowest carrier of the tier (300 ms and 600 ms: well under 900 ms)", async () => {
    const subject = (harness = await startHarness(SAME_PRIORITY));
    // The gRPC channel and the carrier connections are opened first, so only the search is measured.
    await subject.client.searchNumbers({ countryCode: "US", areaCode: "303", limit: 100 });
    subject.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 300, pathIncludes: READS });
    subject.sandbox.bandwidth.faults.inject({ kind: "latency", latencyMs: 600, pathIncludes: READS });
    const durations: number[] = [];
    for (const areaCode of ["212", "415", "202"]) {
      // 65 numbers per area code at each emulator (5 of them shared): neither fills 100 alone, both are needed.
      const { result, ms } = await timed(() => subject.client.searchNumbers({ countryCode: "US", areaCode, limit: 100 }));
      durations.push(ms);
      expect(result.numbers).toHaveLength(100);
      // The carriers switched off are listed too, as skipped (disabled by configuration).
      expect(result.providerOutcomes.slice(0, 2).map((outcome) => outcome.state)).toEqual([ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED, ProviderOutcomeState.PROVIDER_OUTCOME_STATE_ANSWERED]);
    }
    console.info(`fan-out search over gRPC, carriers at 300 ms and 600 ms in one tier: ${durations.map((ms) => ms.toFixed(0)).join(" ms, ")} ms (the slowest: 600 ms, the sum: 900 ms)`);
    // The slowest carrier takes its 600 ms plus its own work (30-70 ms for 65 numbers on loopback); asked one
    // after the other they would take 900 ms and more. The best of three is judged tightly, every one against the sum.
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(600);
    expect(Math.min(...durations)).toBeLessThan(800);
    expect(Math.max(...durations)).toBeLessThan(900);
  });

  it("asks the next tier only when the first cannot fill the limit: two tiers take the sum", async () => {
    const subject = (harness = await startHarness({ ...ONLY_TWILIO_AND_BANDWIDTH, TWILIO_PRIORITY: "1", BANDWIDTH_PRIORITY: "2" }));
    await subject.client.searchNumbers({ countryCode: "US", areaCode: "303", limit: 100 });
    subject.sandbox.twilio.faults.inject({ kind: "latency", latencyMs: 300, pathIncludes: READS });
    subject.sandbox.bandwidth.faults.inject({ kind: "latency", latencyMs: 600, pathIncludes: READS });
    const filled = await timed(() => subject.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 5 }));
    expect(filled.result.providerOutcomes[1]).toMatchObject({ providerId: "bandwidth", state: ProviderOutcomeState.PROVIDER_OUTCOME_STATE_SKIPPED });
    expect(filled.ms).toBeLessThan(600);
    const needsBoth = await timed(() => subject.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 100 }));
    console.info(`the same search with the carriers in two priority tiers: ${needsBoth.ms.toFixed(0)} ms`);
    expect(needsBoth.result.numbers).toHaveLength(100);
    expect(needsBoth.ms).toBeGreaterThanOrEqual(900);
    // Merged by price: Bandwidth's numbers (35 cents in the sample table) rank before Twilio's (115).
    expect(needsBoth.result.numbers.slice(0, 65).every((number) => number.providerId === "bandwidth")).toBe(true);
  });

  it("cuts off a much slower carrier once the others brought enough numbers, and says how long it had", async () => {
    const subject = (harness = await startHarness(SAME_PRIORITY));
    // Ten answers at each carrier give numbergate their usual latency (the hedge delay, at least 50 ms).
    for (let warmUp = 0; warmUp < 12; warmUp += 1) await subject.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 5 });
    subject.sandbox.bandwidth.faults.inject({ kind: "latency", latencyMs: 3_000, pathIncludes: READS });
    const { result, ms } = await timed(() => subject.client.searchNumbers({ countryCode: "US", areaCode: "415", limit: 5 }));
    console.info(`search with one carrier 3 s slower than usual, cut off: ${ms.toFixed(0)} ms`);
    // Well before the slow carrier's answer (its hedge delay is its usual latency, tens of ms on an idle machine).
    expect(ms).toBeLessThan(1_500);
    expect(result.numbers).toHaveLength(5);
    expect(result.numbers.every((number) => number.providerId === "twilio")).toBe(true);
    const bandwidth = result.providerOutcomes.find((outcome) => outcome.providerId === "bandwidth");
    expect(bandwidth?.state).toBe(ProviderOutcomeState.PROVIDER_OUTCOME_STATE_CUT_OFF);
    expect(bandwidth?.detail).toMatch(/^not waited for: other carriers had answered enough, and it had no answer after \d+ ms \(its hedge delay is \d+ ms\)/);
    // Its call was not cancelled: it is still at the carrier, and will fill the cache when it answers.
    expect(subject.sandbox.bandwidth.openRequests).toBe(1);
  });
});

describe("PROVIDER_SELECTION among carriers of equal priority", () => {
  it("weighted: with weights 1 and 3 the heavier carrier is asked first about 3 times in 4 (seeded random)", async () => {
    const subject = (harness = await startHarness({ ...SAME_PRIORITY, PROVIDER_SELECTION: "weighted", TWILIO_WEIGHT: "1", BANDWIDTH_WEIGHT: "3" }, { random: seededRandom(7) }));
    const phoneNumber = await sharedNumber(subject, "212");
    const CHECKS = 200;
    const firstAsked = { twilio: 0, bandwidth: 0 };
    for (let check = 0; check < CHECKS; check += 1) {
      // Availability asks one carrier at a time in the tier's order: the first asked has the number and answers.
      const answer = await subject.client.checkNumberAvailability({ phoneNumber });
      const providerId = answer.number?.providerId;
      if (providerId === "twilio" || providerId === "bandwidth") firstAsked[providerId] += 1;
    }
    console.info(`weighted selection, weights 1 (twilio) and 3 (bandwidth): first asked ${JSON.stringify(firstAsked)} of ${CHECKS}`);
    expect(firstAsked.twilio + firstAsked.bandwidth).toBe(CHECKS);
    expect(firstAsked.bandwidth / CHECKS).toBeGreaterThan(0.68);
    expect(firstAsked.bandwidth / CHECKS).toBeLessThan(0.82);
  });

  it("least_latency: learns that the carrier first in id order is slow and asks the faster one first", async () => {
    const subject = (harness = await startHarness({ ...SAME_PRIORITY, PROVIDER_SELECTION: "least_latency" }));
    const phoneNumber = await sharedNumber(subject, "415");
    // Bandwidth comes first among equals by id (and in priority selection always would).
    subject.sandbox.bandwidth.faults.inject({ kind: "latency", latencyMs: 150, pathIncludes: READS });
    const answeredBy: string[] = [];
    for (let check = 0; check < 30; check += 1) answeredBy.push((await subject.client.checkNumberAvailability({ phoneNumber })).number?.providerId ?? "");
    console.info(`least_latency, bandwidth slowed to 150 ms: answered by ${JSON.stringify(answeredBy.slice(0, 5))}... twilio ${answeredBy.filter((id) => id === "twilio").length}/30`);
    // Never measured counts as fastest: one slow check at Bandwidth teaches numbergate, then Twilio goes first.
    expect(answeredBy.filter((providerId) => providerId === "twilio").length).toBeGreaterThanOrEqual(27);
    expect(answeredBy.slice(-10).every((providerId) => providerId === "twilio")).toBe(true);
  });
});
