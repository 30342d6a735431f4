import { afterEach, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import type { SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { DATABASES } from "../support/databases.js";
import type { Harness } from "../support/harness.js";
import { startReplicas, type Replicas } from "../support/replicas.js";

const FAST = { NUMBERGATE_SWEEP_INTERVAL: "50", NUMBERGATE_ORDER_CHECK_INTERVAL: "50" };
/** Caches on, with the README's default TTLs: minutes, far longer than the one second the test allows. */
const CACHED = { SEARCH_CACHE_TTL: "300000", SEARCH_CACHE_STALE_TTL: "3600000", AVAILABILITY_CACHE_TTL: "60000" };
const SEARCH = { countryCode: "US", areaCode: "617", providerIds: ["twilio"], limit: 5 };
/** Another replica's change must reach this one's answers within a second. */
const WITHIN_A_SECOND = { timeout: 1_000, interval: 50 };

describe.each(DATABASES)("cached answers across two replicas sharing one $name database", (database) => {
  let replicas: Replicas | undefined;
  afterEach(async () => {
    await replicas?.close();
    replicas = undefined;
  });

  async function startTwo(): Promise<[Harness, Harness, SandboxCarriers]> {
    replicas = await startReplicas(database, { ...FAST, ...CACHED });
    return [replicas.a, replicas.b, replicas.carriers];
  }

  /** What a replica answers, from its cache, about the number. */
  async function seenBy(a: Harness, phoneNumber: string): Promise<{ inSearch: boolean; available: boolean }> {
    const search = await a.client.searchNumbers(SEARCH);
    expect(search.providerOutcomes[0]).toMatchObject({ providerId: "twilio", fromCache: true });
    const availability = await a.client.checkNumberAvailability({ phoneNumber, providerId: "twilio" });
    expect(availability.providerOutcomes[0]).toMatchObject({ providerId: "twilio", fromCache: true });
    return { inSearch: search.numbers.some((number) => number.phoneNumber === phoneNumber), available: availability.available };
  }

  it("a number bought on B leaves A's cached searches and availability within a second, and returns when B releases it", async () => {
    const [a, b, carriers] = await startTwo();
    const phoneNumber = (await a.client.searchNumbers(SEARCH)).numbers[0]?.phoneNumber ?? "";
    expect((await a.client.checkNumberAvailability({ phoneNumber, providerId: "twilio" })).available).toBe(true);
    const twilioSearches = carriers.twilio.countRequests((request) => request.path.includes("AvailablePhoneNumbers"));

    const bought = await b.client.purchaseNumber({ requestId: "cache-replicas-buy", phoneNumber, providerId: "twilio" });
    expect(bought.order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED);
    await vi.waitFor(async () => expect(await seenBy(a, phoneNumber)).toEqual({ inSearch: false, available: false }), WITHIN_A_SECOND);

    await b.client.releaseNumber({ requestId: "cache-replicas-release", phoneNumber });
    await vi.waitFor(async () => expect(await seenBy(a, phoneNumber)).toEqual({ inSearch: true, available: true }), WITHIN_A_SECOND);
    // All of it from A's cache: no carrier was asked again.
    expect(carriers.twilio.countRequests((request) => request.path.includes("AvailablePhoneNumbers"))).toBe(twilioSearches);
  });

  it("a number reserved on B leaves both replicas' cached answers, and returns to both when B cancels the reservation", async () => {
    const [a, b] = await startTwo();
    const phoneNumber = (await a.client.searchNumbers(SEARCH)).numbers[1]?.phoneNumber ?? "";
    expect((await a.client.checkNumberAvailability({ phoneNumber, providerId: "twilio" })).available).toBe(true);
    expect((await b.client.searchNumbers(SEARCH)).numbers.map((number) => number.phoneNumber)).toContain(phoneNumber);
    expect((await b.client.checkNumberAvailability({ phoneNumber, providerId: "twilio" })).available).toBe(true);

    const { reservation } = await b.client.reserveNumber({ requestId: "cache-replicas-reserve", phoneNumber, providerId: "twilio" });
    expect(await seenBy(b, phoneNumber)).toEqual({ inSearch: false, available: false });
    await vi.waitFor(async () => expect(await seenBy(a, phoneNumber)).toEqual({ inSearch: false, available: false }), WITHIN_A_SECOND);

    // The reserving replica's own cache kept the offer too: the number is back on both.
    await b.client.cancelReservation({ reservationId: reservation?.reservationId ?? "" });
    expect(await seenBy(b, phoneNumber)).toEqual({ inSearch: true, available: true });
    await vi.waitFor(async () => expect(await seenBy(a, phoneNumber)).toEqual({ inSearch: true, available: true }), WITHIN_A_SECOND);
  });
});
