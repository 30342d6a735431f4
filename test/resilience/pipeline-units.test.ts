import { afterEach, describe, expect, it, vi } from "vitest";
import type { ResilienceSettings } from "../../src/config/load-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { CarrierUnavailableError } from "../../src/domain/service-errors.js";
import { AttemptTimeLimitError } from "../../src/manager/carrier-invoker.js";
import { fullJitterBackoff } from "../../src/resilience/backoff.js";
import { CarrierPipeline, type CarrierCallObserver } from "../../src/resilience/carrier-pipeline.js";
import { TokenBucket } from "../../src/resilience/token-bucket.js";

const settings = (overrides: Record<string, string> = {}): ResilienceSettings =>
  loadConfig({ PROVIDER_RETRY_DELAY: "1", PROVIDER_RETRY_MAX_DELAY: "5", ...overrides }).resilience;

const carrierError = (kind: CarrierError["kind"], requestMayHaveReachedCarrier: boolean) =>
  new CarrierError({ kind, carrierId: "twilio", operation: "purchase", message: kind, requestMayHaveReachedCarrier });

const observer = (): CarrierCallObserver & { attempts: string[] } => {
  const attempts: string[] = [];
  return { attempts, attemptFinished: (_carrier, operation, outcome) => attempts.push(`${operation}:${outcome}`), breakerChanged: () => undefined };
};

const pipelines: CarrierPipeline[] = [];
function pipeline(resilience: ResilienceSettings, watch: CarrierCallObserver, limits = { maxConcurrency: 4, ratePerSecond: 0 }): CarrierPipeline {
  const created = new CarrierPipeline({ carrierId: "twilio", settings: resilience, limits, observer: watch, random: () => 0.5 });
  pipelines.push(created);
  return created;
}
afterEach(() => {
  vi.useRealTimers();
  for (const created of pipelines.splice(0)) created.dispose();
});

describe("retry rules", () => {
  it("retries reads on retryable failures, up to PROVIDER_MAX_RETRIES", async () => {
    const watch = observer();
    const call = vi.fn(async () => {
      throw carrierError("carrier_server", true);
    });
    await expect(pipeline(settings({ PROVIDER_MAX_RETRIES: "2" }), watch).run("search", call)).rejects.toMatchObject({ kind: "carrier_server" });
    expect(call).toHaveBeenCalledTimes(3);
    expect(watch.attempts).toEqual(["search:failure", "search:failure", "search:failure"]);
  });

  it("never retries a purchase whose request may have reached the carrier", async () => {
    for (const kind of ["timeout", "network", "carrier_server"] as const) {
      const call = vi.fn(async () => {
        throw carrierError(kind, true);
      });
      await expect(pipeline(settings({ PROVIDER_MAX_RETRIES: "3" }), observer()).run("purchase", call)).rejects.toMatchObject({ kind });
      expect(call).toHaveBeenCalledTimes(1);
    }
  });

  it("retries a purchase only when the request provably never left (connection refused)", async () => {
    let calls = 0;
    const call = async () => {
      calls += 1;
      if (calls === 1) throw carrierError("network", false);
      return "bought once";
    };
    await expect(pipeline(settings(), observer()).run("purchase", call)).resolves.toBe("bought once");
    expect(calls).toBe(2);
  });

  it("never retries auth or invalid-request errors", async () => {
    for (const kind of ["auth", "invalid_request", "not_found"] as const) {
      const call = vi.fn(async () => {
        throw carrierError(kind, true);
      });
      await expect(pipeline(settings(), observer()).run("search", call)).rejects.toMatchObject({ kind });
      expect(call).toHaveBeenCalledTimes(1);
    }
  });

  it("turns a timeout into a timeout CarrierError and aborts the hung request", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const signals: AbortSignal[] = [];
    const call = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<never>(() => undefined);
    };
    const running = pipeline(settings({ PROVIDER_MAX_RETRIES: "0", PROVIDER_TIMEOUT_SEARCH: "100" }), observer()).run("search", call);
    const outcome = expect(running).rejects.toMatchObject({ kind: "timeout", message: "twilio did not answer within 100 ms" });
    await vi.advanceTimersByTimeAsync(100);
    await outcome;
    expect(signals[0]?.aborted).toBe(true);
  });

  it("stops at once when the caller gives up", async () => {
    const controller = new AbortController();
    const running = pipeline(settings(), observer()).run("search", () => new Promise<never>(() => undefined), controller.signal);
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
  });

  it("reports an open breaker as CarrierUnavailableError without calling", async () => {
    const resilience = settings({ PROVIDER_MAX_RETRIES: "0", PROVIDER_BREAKER_WINDOW: "2", PROVIDER_BREAKER_MIN_CALLS: "2" });
    const subject = pipeline(resilience, observer());
    const failing = async () => {
      throw carrierError("carrier_server", true);
    };
    await expect(subject.run("search", failing)).rejects.toBeInstanceOf(CarrierError);
    await expect(subject.run("search", failing)).rejects.toBeInstanceOf(CarrierError);
    expect(subject.breakerState).toBe("open");
    const call = vi.fn(async () => "never");
    await expect(subject.run("search", call)).rejects.toBeInstanceOf(CarrierUnavailableError);
    expect(call).not.toHaveBeenCalled();
  });

  it("does not count client errors against the breaker", async () => {
    const subject = pipeline(settings({ PROVIDER_MAX_RETRIES: "0", PROVIDER_BREAKER_WINDOW: "2", PROVIDER_BREAKER_MIN_CALLS: "2" }), observer());
    for (let index = 0; index < 5; index += 1) {
      await expect(subject.run("search", async () => Promise.reject(carrierError("invalid_request", true)))).rejects.toBeInstanceOf(CarrierError);
    }
    expect(subject.breakerState).toBe("closed");
  });
});

describe("attempts abandoned because their time ran out", () => {
  const hung = (calls: AbortSignal[]) => (signal: AbortSignal) => {
    calls.push(signal);
    return new Promise<never>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  };

  it("count as timeouts for health, metrics and the breaker, and are not retried", async () => {
    const watch = observer();
    const subject = pipeline(settings({ PROVIDER_MAX_RETRIES: "3", PROVIDER_BREAKER_WINDOW: "2", PROVIDER_BREAKER_MIN_CALLS: "2" }), watch);
    const calls: AbortSignal[] = [];
    for (let index = 1; index <= 2; index += 1) {
      const caller = new AbortController();
      const running = subject.run("search", hung(calls), caller.signal);
      await vi.waitFor(() => expect(calls).toHaveLength(index));
      caller.abort(new AttemptTimeLimitError(1000));
      await expect(running).rejects.toMatchObject({ kind: "timeout", message: "twilio did not answer within the 1000 ms it was given" });
    }
    await vi.waitFor(() => expect(subject.breakerState).toBe("open"));
    expect(watch.attempts).toEqual(["search:failure", "search:failure"]);
    expect(calls.every((signal) => signal.aborted)).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it("a caller who cancels is not held against the carrier", async () => {
    const watch = observer();
    const subject = pipeline(settings({ PROVIDER_MAX_RETRIES: "3", PROVIDER_BREAKER_WINDOW: "2", PROVIDER_BREAKER_MIN_CALLS: "2" }), watch);
    const calls: AbortSignal[] = [];
    for (let index = 1; index <= 4; index += 1) {
      const caller = new AbortController();
      const running = subject.run("search", hung(calls), caller.signal);
      await vi.waitFor(() => expect(calls).toHaveLength(index));
      caller.abort();
      await expect(running).rejects.toMatchObject({ name: "AbortError" });
    }
    expect(subject.breakerState).toBe("closed");
    expect(watch.attempts).toEqual([]);
  });
});

describe("money operations", () => {
  const fakeClock = () => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });

  it("a purchase that timed out waiting for a rate-limit token is never sent afterwards", async () => {
    fakeClock();
    const subject = pipeline(settings({ PROVIDER_TIMEOUT_PURCHASE: "200" }), observer(), { maxConcurrency: 4, ratePerSecond: 1 });
    const call = vi.fn(async () => "bought");
    await expect(subject.run("purchase", call)).resolves.toBe("bought");
    // The bucket is empty: the next token comes in 1 s, after this purchase's 200 ms are up.
    const waiting = subject.run("purchase", call);
    const outcome = expect(waiting).rejects.toBeInstanceOf(CarrierUnavailableError);
    await vi.advanceTimersByTimeAsync(200);
    await outcome;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("a purchase waiting for a concurrency slot past its budget is never sent, and says it was not sent", async () => {
    fakeClock();
    const subject = pipeline(settings({ PROVIDER_TIMEOUT_PURCHASE: "300", PROVIDER_TIMEOUT_RESERVE: "5000" }), observer(), { maxConcurrency: 1, ratePerSecond: 0 });
    // A slow reservation holds the only slot for 2 s.
    const holding = subject.run("reserve", async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return "reserved";
    });
    const queued = vi.fn(async () => "never");
    const refused = expect(subject.run("purchase", queued)).rejects.toBeInstanceOf(CarrierUnavailableError);
    await vi.advanceTimersByTimeAsync(300);
    await refused;
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(holding).resolves.toBe("reserved");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queued).not.toHaveBeenCalled();
  });

  it("a purchase sent and unanswered within its budget is aborted and reported as possibly acted on", async () => {
    fakeClock();
    const subject = pipeline(settings({ PROVIDER_TIMEOUT_PURCHASE: "300" }), observer());
    const signals: AbortSignal[] = [];
    const running = subject.run("purchase", (signal) => {
      signals.push(signal);
      return new Promise<never>(() => undefined);
    });
    const outcome = expect(running).rejects.toMatchObject({ kind: "timeout", requestMayHaveReachedCarrier: true });
    await vi.advanceTimersByTimeAsync(300);
    await outcome;
    expect(signals[0]?.aborted).toBe(true);
  });

  it("slow successful purchases and order lookups never open the breaker; slow searches do", async () => {
    fakeClock();
    const resilience = settings({ PROVIDER_MAX_RETRIES: "0", PROVIDER_BREAKER_WINDOW: "2", PROVIDER_BREAKER_MIN_CALLS: "2", PROVIDER_BREAKER_SLOW_CALL_DURATION: "100", PROVIDER_BREAKER_SLOW_CALL_RATE: "50" });
    const slowSuccess = async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return "ok";
    };
    const subject = pipeline(resilience, observer());
    for (const operation of ["purchase", "order_status", "purchase", "release", "order_status"] as const) {
      const running = subject.run(operation, slowSuccess);
      await vi.advanceTimersByTimeAsync(400);
      await expect(running).resolves.toBe("ok");
    }
    expect(subject.breakerState).toBe("closed");
    // With the last lookup, one slow search makes half of the window slow.
    const search = subject.run("search", slowSuccess);
    await vi.advanceTimersByTimeAsync(400);
    await expect(search).resolves.toBe("ok");
    expect(subject.breakerState).toBe("open");
  });
});

describe("fullJitterBackoff", () => {
  it("draws uniformly below the exponential ceiling, capped", () => {
    expect(fullJitterBackoff(0, 1000, 30_000, () => 0.999)).toBe(999);
    expect(fullJitterBackoff(3, 1000, 30_000, () => 0.5)).toBe(4000);
    expect(fullJitterBackoff(10, 1000, 30_000, () => 0.5)).toBe(15_000);
    expect(fullJitterBackoff(2, 1000, 30_000, () => 0)).toBe(0);
  });
});

describe("TokenBucket", () => {
  it("allows a burst of the rate, then one token per 1/rate seconds", () => {
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    for (let index = 0; index < 10; index += 1) expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(100);
    now += 100;
    expect(bucket.tryTake()).toBe(0);
    expect(bucket.tryTake()).toBe(100);
  });
});
