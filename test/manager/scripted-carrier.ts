import type { CarrierAdapter, CarrierCallOptions, CarrierDescriptor, CarrierSearchResult } from "../../src/domain/carrier-adapter.js";
import type { AvailableNumberOffer, CarrierId, NumberSearchCriteria } from "../../src/domain/numbers.js";
import type { ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import type { CarrierRegistration } from "../../src/manager/carrier-registry.js";

export function descriptor(id: CarrierId, overrides: Partial<CarrierDescriptor> = {}): CarrierDescriptor {
  return { id, displayName: id, capabilities: ["voice", "sms"], numberTypes: ["local"], countries: ["US"], supportsReservations: false, supportsPortabilityChecks: false, supportsPorting: false, maxNumbersPerPurchase: 1, ...overrides };
}

export function offersOf(carrierId: CarrierId, numbers: readonly string[]): AvailableNumberOffer[] {
  return numbers.map((phoneNumber) => ({ phoneNumber, carrierId, numberType: "local", countryCode: "US", capabilities: ["voice", "sms"] }));
}

export function numbersFrom(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `+1${prefix}${String(2000 + index)}`);
}

/** How a scripted carrier answers one call: an answer, an error, or nothing until `answerAfterMs` (forever if absent). */
export type Script<Answer> = (call: number) => { readonly answer?: Answer; readonly error?: Error; readonly answerAfterMs?: number };

/** Waits like a carrier that answers late (or never), giving up when the call's signal aborts, with its reason. */
function respond<Answer>(step: ReturnType<Script<Answer>>, signal: AbortSignal | undefined): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const settle = () => {
      if (step.error) reject(step.error);
      else if (step.answer !== undefined) resolve(step.answer);
    };
    if (signal?.aborted) return reject(signal.reason);
    const hangs = step.answer === undefined && step.error === undefined;
    if (!hangs && step.answerAfterMs === undefined) return settle();
    const timer = hangs || step.answerAfterMs === undefined ? undefined : setTimeout(settle, step.answerAfterMs);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** A carrier adapter scripted per call, recording what it was asked and the signal of each call. */
export class ScriptedCarrier implements CarrierAdapter {
  readonly specificationVersion = "v1" as const;
  readonly searches: NumberSearchCriteria[] = [];
  readonly availabilityChecks: string[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];

  constructor(
    readonly descriptor: CarrierDescriptor,
    private readonly searchScript: Script<CarrierSearchResult> = () => ({ answer: { numbers: [], warnings: [] } }),
    private readonly availabilityScript: Script<{ offer: AvailableNumberOffer | undefined }> = () => ({ answer: { offer: undefined } }),
  ) {}

  supportsSearch() {
    return { supported: true } as const;
  }

  doSearch(criteria: NumberSearchCriteria, options: CarrierCallOptions): Promise<CarrierSearchResult> {
    this.searches.push(criteria);
    this.signals.push(options.signal);
    return respond(this.searchScript(this.searches.length), options.signal);
  }

  async doCheckAvailability(number: ParsedPhoneNumber, options: CarrierCallOptions): Promise<AvailableNumberOffer | undefined> {
    this.availabilityChecks.push(number.e164);
    this.signals.push(options.signal);
    return (await respond(this.availabilityScript(this.availabilityChecks.length), options.signal)).offer;
  }

  async doProbeHealth(): Promise<void> {}
  async close(): Promise<void> {}
}

export function register(adapter: CarrierAdapter, priority: number, enabled = true): CarrierRegistration {
  return { adapter, priority, enabled, sandbox: true };
}
