import { describe, expect, it } from "vitest";
import { PriceTable } from "../../src/config/price-table.js";
import type { CarrierAdapter, CarrierDescriptor, CarrierSearchResult } from "../../src/domain/carrier-adapter.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import type { AvailableNumberOffer, CarrierId, NumberSearchCriteria } from "../../src/domain/numbers.js";
import { AllCarriersFailedError, NoEligibleCarrierError } from "../../src/domain/service-errors.js";
import type { CarrierRegistration } from "../../src/manager/carrier-registry.js";
import { ProviderManager, type SearchNumbersQuery } from "../../src/manager/provider-manager.js";

/** An adapter that answers from a list and records the criteria it was asked. */
class RecordingAdapter implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly searches: NumberSearchCriteria[] = [];
  constructor(
    readonly descriptor: CarrierDescriptor,
    private readonly answer: (criteria: NumberSearchCriteria) => CarrierSearchResult | CarrierError,
  ) {}
  supportsSearch() {
    return { supported: true } as const;
  }
  async doSearch(criteria: NumberSearchCriteria) {
    this.searches.push(criteria);
    const answer = this.answer(criteria);
    if (answer instanceof CarrierError) throw answer;
    return answer;
  }
  async doCheckAvailability() {
    return undefined;
  }
  async doProbeHealth() {}
  async close() {}
}

function descriptor(id: CarrierId, overrides: Partial<CarrierDescriptor> = {}): CarrierDescriptor {
  return { id, displayName: id, capabilities: ["voice", "sms"], numberTypes: ["local"], countries: ["US"], supportsReservations: false, supportsPortabilityChecks: false, supportsPorting: false, maxNumbersPerPurchase: 1, ...overrides };
}

function offers(carrierId: CarrierId, numbers: readonly string[]): CarrierSearchResult {
  return {
    numbers: numbers.map((phoneNumber): AvailableNumberOffer => ({ phoneNumber, carrierId, numberType: "local", countryCode: "US", capabilities: ["voice", "sms"] })),
    warnings: [],
  };
}

function numbersFrom(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `+1${prefix}${String(2000 + index)}`);
}

function register(adapter: RecordingAdapter, priority: number, enabled = true): CarrierRegistration {
  return { adapter, priority, enabled, sandbox: true };
}

const query = (overrides: Partial<SearchNumbersQuery> = {}): SearchNumbersQuery => ({
  criteria: { countryCode: "US", numberType: "local", areaCode: "212", features: [] },
  limit: 10,
  carrierIds: [],
  ...overrides,
});

const serverError = (carrierId: CarrierId) =>
  new CarrierError({ kind: "carrier_server", carrierId, operation: "search", message: `${carrierId} failed`, requestMayHaveReachedCarrier: true });

describe("ProviderManager.searchNumbers", () => {
  it("asks carriers in priority order and fills from the next", async () => {
    const primary = new RecordingAdapter(descriptor("twilio"), () => offers("twilio", numbersFrom("212555", 4)));
    const secondary = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", numbersFrom("212556", 10)));
    const manager = new ProviderManager({ registrations: [register(secondary, 2), register(primary, 1)] });
    const result = await manager.searchNumbers(query());
    expect(result.numbers.map((offer) => offer.carrierId)).toEqual([...Array(4).fill("twilio"), ...Array(6).fill("bandwidth")]);
    expect(primary.searches[0]?.limit).toBe(10);
    // 6 still missing, plus 4 already found in case the second carrier offers them too.
    expect(secondary.searches[0]?.limit).toBe(10);
  });

  it("does not ask lower-priority carriers once the limit is met", async () => {
    const primary = new RecordingAdapter(descriptor("twilio"), () => offers("twilio", numbersFrom("212555", 10)));
    const secondary = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", numbersFrom("212556", 10)));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)] });
    const result = await manager.searchNumbers(query());
    expect(secondary.searches).toHaveLength(0);
    expect(result.outcomes[1]).toMatchObject({ carrierId: "bandwidth", state: "skipped" });
  });

  it("deduplicates by E.164 across carriers", async () => {
    const shared = numbersFrom("212555", 3);
    const primary = new RecordingAdapter(descriptor("twilio"), () => offers("twilio", shared));
    const secondary = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", [...shared, ...numbersFrom("212556", 2)]));
    const manager = new ProviderManager({ registrations: [register(primary, 1), register(secondary, 2)] });
    const result = await manager.searchNumbers(query({ limit: 5 }));
    expect(result.numbers.map((offer) => offer.phoneNumber)).toEqual([...shared, ...numbersFrom("212556", 2)]);
  });

  it("drops offers that are not valid numbers or lack a requested feature", async () => {
    const adapter = new RecordingAdapter(descriptor("twilio"), () => ({
      numbers: [
        { phoneNumber: "+1123123123", carrierId: "twilio", numberType: "local", countryCode: "US", capabilities: ["voice", "sms"] },
        { phoneNumber: "+12125552000", carrierId: "twilio", numberType: "local", countryCode: "US", capabilities: ["voice"] },
        { phoneNumber: "+12125552001", carrierId: "twilio", numberType: "local", countryCode: "US", capabilities: ["voice", "sms"] },
      ],
      warnings: [],
    }));
    const manager = new ProviderManager({ registrations: [register(adapter, 1)] });
    const result = await manager.searchNumbers(query({ criteria: { ...query().criteria, features: ["sms"] } }));
    expect(result.numbers.map((offer) => offer.phoneNumber)).toEqual(["+12125552001"]);
  });

  it("prices from the table and filters by max price, counting unknown and over-price exclusions", async () => {
    const twilio = new RecordingAdapter(descriptor("twilio"), () => offers("twilio", numbersFrom("212555", 3)));
    const bandwidth = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", numbersFrom("212556", 3)));
    const priceTable = new PriceTable([{ carrier: "twilio", country: "US", number_type: "local", currency: "USD", monthly_cents: 115 }]);
    const manager = new ProviderManager({ registrations: [register(twilio, 1), register(bandwidth, 2)], priceTable });
    const result = await manager.searchNumbers(query({ maxMonthlyRateCents: 100 }));
    expect(result.numbers).toEqual([]);
    expect(result.outcomes.map((outcome) => [outcome.excludedOverPrice, outcome.excludedUnknownPrice])).toEqual([
      [3, 0],
      [0, 3],
    ]);
    const unfiltered = await manager.searchNumbers(query({ limit: 1 }));
    expect(unfiltered.numbers[0]?.monthlyPrice).toEqual({ currencyCode: "USD", amountCents: 115 });
  });

  it("keeps going when a carrier fails, and fails only when every carrier failed", async () => {
    const failing = new RecordingAdapter(descriptor("twilio"), () => serverError("twilio"));
    const working = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", numbersFrom("212556", 2)));
    const manager = new ProviderManager({ registrations: [register(failing, 1), register(working, 2)] });
    const result = await manager.searchNumbers(query());
    expect(result.outcomes[0]).toMatchObject({ state: "failed", reason: "CARRIER_SERVER_ERROR" });
    expect(result.numbers).toHaveLength(2);

    const allFailing = new ProviderManager({
      registrations: [register(failing, 1), register(new RecordingAdapter(descriptor("bandwidth"), () => serverError("bandwidth")), 2)],
    });
    await expect(allFailing.searchNumbers(query())).rejects.toBeInstanceOf(AllCarriersFailedError);
    const oneFailing = new ProviderManager({ registrations: [register(failing, 1)] });
    await expect(oneFailing.searchNumbers(query())).rejects.toMatchObject({ kind: "carrier_server", carrierId: "twilio" });
  });

  it("says which carriers were skipped and why when none is eligible", async () => {
    const tollFreeOnly = new RecordingAdapter(descriptor("twilio", { numberTypes: ["toll_free"] }), () => offers("twilio", []));
    const disabled = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", []));
    const manager = new ProviderManager({ registrations: [register(tollFreeOnly, 1), { ...register(disabled, 2, false), disabledReason: "disabled by BANDWIDTH_ENABLED=false" }] });
    const error = await manager.searchNumbers(query()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoEligibleCarrierError);
    expect(Object.fromEntries((error as NoEligibleCarrierError).skipped)).toEqual({
      twilio: "does not sell local numbers",
      bandwidth: "disabled by BANDWIDTH_ENABLED=false",
    });
  });

  it("asks only the requested providers", async () => {
    const twilio = new RecordingAdapter(descriptor("twilio"), () => offers("twilio", numbersFrom("212555", 1)));
    const bandwidth = new RecordingAdapter(descriptor("bandwidth"), () => offers("bandwidth", numbersFrom("212556", 1)));
    const manager = new ProviderManager({ registrations: [register(twilio, 1), register(bandwidth, 2)] });
    const result = await manager.searchNumbers(query({ carrierIds: ["bandwidth"] }));
    expect(twilio.searches).toHaveLength(0);
    expect(result.numbers.map((offer) => offer.carrierId)).toEqual(["bandwidth"]);
  });
});
