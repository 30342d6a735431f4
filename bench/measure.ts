/** Latency and throughput measurement with warm-up; numbers are only compared within one run. */
export interface Measurement {
  readonly name: string;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** Runs `call` `calls` times with `concurrency` callers in flight, after `warmup` unmeasured calls. */
export async function measure(
  name: string,
  call: () => Promise<unknown>,
  { calls, concurrency, warmup }: { calls: number; concurrency: number; warmup: number },
): Promise<Measurement> {
  for (let index = 0; index < warmup; index += 1) await call();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < calls) {
      next += 1;
      const callStarted = performance.now();
      await call();
      latencies.push(performance.now() - callStarted);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((left, right) => left - right);
  return { name, calls, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), callsPerSecond: calls / elapsedSeconds };
}

export function formatRow(measurement: Measurement): string {
  return `${measurement.name.padEnd(52)} p50 ${measurement.p50Ms.toFixed(2).padStart(7)} ms   p99 ${measurement.p99Ms.toFixed(2).padStart(7)} ms   ${measurement.callsPerSecond.toFixed(0).padStart(6)} calls/s`;
}
