import { AttemptTimeLimitError } from "./carrier-invoker.js";

/**
 * The share of the time left that one carrier (or one tier of carriers asked together) may use while other
 * carriers remain to be tried: the rest is kept for them, so a carrier that hangs costs a caller half its
 * time, never all of it.
 */
export const SHARE_WHILE_OTHERS_REMAIN = 0.5;

/**
 * How close to the deadline a caller's abort counts as the deadline passing (grpc-js fires its own deadline
 * timer, which may run a little before ours).
 */
const DEADLINE_TOLERANCE_MS = 25;

/**
 * A caller that gives up on a read which has waited at least this long (and at least twice the carrier's
 * usual latency) saw the carrier time out, even when numbergate did not know the caller's deadline (a client
 * that enforces its deadline itself, sending no grpc-timeout, simply cancels). A caller that gives up sooner
 * is not held against the carrier.
 */
export const CANCELLATION_COUNTS_AFTER_MS = 1_000;

/** The time one carrier attempt may use, as a signal; dispose once the attempt has settled. */
export interface TimeAllowance {
  readonly signal: AbortSignal;
  readonly limitMs: number;
  dispose(): void;
}

/**
 * A read's deadline (epoch ms; Infinity when there is none) and the caller's signal, handing each carrier
 * attempt its allowance: a share of what is left while other tiers of carriers remain, everything left for
 * the last.
 * An allowance ends with an AttemptTimeLimitError (judged as the carrier timing out) when its time runs out,
 * when the caller's deadline passes, or when the caller gives up after a long wait; with the caller's own
 * reason when the caller cancels early.
 */
export class ReadDeadline {
  constructor(
    readonly at: number,
    private readonly now: () => number,
    private readonly callerSignal?: AbortSignal,
  ) {}

  remainingMs(): number {
    return this.at - this.now();
  }

  /** Whether no carrier may be asked any more: the deadline passed or the caller left. */
  get over(): boolean {
    return this.remainingMs() <= 0 || this.callerSignal?.aborted === true;
  }

  /** Rethrows the caller's reason when the caller has left (cancelled): nothing more is worth doing for it. */
  throwIfCallerLeft(): void {
    this.callerSignal?.throwIfAborted();
  }

  /**
   * The allowance of one carrier attempt. `usualLatencyMs` (the carrier's recent p95, when known) decides
   * how long a wait makes a caller's cancellation count as the carrier timing out.
   */
  allowance(tiersStillToTry: number, usualLatencyMs?: number): TimeAllowance {
    const remaining = Math.max(0, this.remainingMs());
    const limitMs = tiersStillToTry > 0 ? remaining * SHARE_WHILE_OTHERS_REMAIN : remaining;
    const startedAt = this.now();
    const patienceMs = Math.max(CANCELLATION_COUNTS_AFTER_MS, 2 * (usualLatencyMs ?? 0));
    const controller = new AbortController();
    const onCallerAbort = () => {
      const waitedMs = this.now() - startedAt;
      const timedOut = this.remainingMs() <= DEADLINE_TOLERANCE_MS || waitedMs >= patienceMs;
      controller.abort(timedOut ? new AttemptTimeLimitError(Math.min(limitMs, waitedMs)) : this.callerSignal?.reason);
    };
    let timer: NodeJS.Timeout | undefined;
    if (this.callerSignal?.aborted) onCallerAbort();
    else if (limitMs <= 0) controller.abort(new AttemptTimeLimitError(0));
    else {
      this.callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
      if (Number.isFinite(limitMs)) {
        timer = setTimeout(() => controller.abort(new AttemptTimeLimitError(limitMs)), limitMs);
        timer.unref();
      }
    }
    return {
      signal: controller.signal,
      limitMs,
      dispose: () => {
        clearTimeout(timer);
        this.callerSignal?.removeEventListener("abort", onCallerAbort);
      },
    };
  }
}
