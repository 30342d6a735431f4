import { Latencies } from "./histogram.js";

export interface LoadOptions {
  /** Calls in flight at once (closed loop: each caller starts its next call when the previous one ends). */
  readonly concurrency: number;
  /** Measured phase length. */
  readonly durationMs: number;
  /** Unmeasured calls before, same concurrency (connections, JIT, pools). */
  readonly warmupMs: number;
}

export interface LoadResult {
  readonly calls: number;
  readonly errors: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly latencies: Latencies;
  /** The first error seen, for the report. */
  readonly firstError?: string;
}

async function phase(call: () => Promise<unknown>, concurrency: number, durationMs: number, latencies: Latencies | undefined): Promise<{ calls: number; errors: number; seconds: number; firstError?: string }> {
  const started = performance.now();
  const deadline = started + durationMs;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  async function caller(): Promise<void> {
    while (performance.now() < deadline) {
      const callStarted = performance.now();
      try {
        await call();
        latencies?.recordMs(performance.now() - callStarted);
        calls += 1;
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { calls, errors, seconds: (performance.now() - started) / 1000, firstError };
}

/** Runs `call` closed-loop at `concurrency` for a warm-up, then for the measured duration. */
export async function runLoad(call: () => Promise<unknown>, options: LoadOptions): Promise<LoadResult> {
  await phase(call, options.concurrency, options.warmupMs, undefined);
  const latencies = new Latencies();
  const measured = await phase(call, options.concurrency, options.durationMs, latencies);
  return { ...measured, callsPerSecond: measured.calls / measured.seconds, latencies };
}

/** Runs `call` exactly `calls` times at `concurrency` (after `warmup` unmeasured calls); for finite stocks. */
export async function runCalls(call: (index: number) => Promise<unknown>, calls: number, concurrency: number, warmup = 0): Promise<Latencies> {
  for (let index = 0; index < warmup; index += 1) await call(-1 - index);
  const latencies = new Latencies();
  let next = 0;
  async function caller(): Promise<void> {
    while (next < calls) {
      const index = next++;
      const started = performance.now();
      await call(index);
      latencies.recordMs(performance.now() - started);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, caller));
  return latencies;
}
