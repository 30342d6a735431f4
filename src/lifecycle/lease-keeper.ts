import type { Logger } from "../telemetry/logger.js";

/**
 * Renews a lease while this replica works the leased record, so another replica never takes over an order
 * whose purchase is still in flight here. Start-up refuses a lease shorter than a money call's budget, so a
 * lease only lapses when renewals themselves fail (the database is unreachable) for a whole lease.
 */
export async function whileLeased<Result>(
  options: { readonly leaseMs: number; readonly now: () => number; readonly logger: Logger; readonly what: string },
  renew: (until: number, now: number) => Promise<boolean>,
  work: () => Promise<Result>,
): Promise<Result> {
  let lost = false;
  const timer = setInterval(() => {
    const now = options.now();
    renew(now + options.leaseMs, now).then(
      (held) => {
        if (!held && !lost) {
          lost = true;
          options.logger.warn({ record: options.what }, "lease renewal found the lease taken; the call in flight finishes and its answer is still recorded");
        }
      },
      (error: unknown) => options.logger.error({ err: error, record: options.what }, "could not renew a lease; retrying at the next interval"),
    );
  }, Math.max(1, Math.floor(options.leaseMs / 3)));
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
