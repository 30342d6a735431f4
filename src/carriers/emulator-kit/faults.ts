/**
 * Ways an emulator can be told to misbehave, for fault-injection tests and for trying failover by hand.
 * - status: answer with this HTTP status and the carrier's own error body for it
 * - rate_limit: answer 429 the way the carrier does (Retry-After or X-RateLimit-Reset)
 * - latency: wait latencyMs, then answer normally
 * - hang: never answer (the socket stays open until the client gives up or the emulator stops)
 * - malformed: answer 200 with a body that is not valid JSON/XML
 * - reset: destroy the connection without answering
 * - hold: wait until released (POST /__emulator/release, or releaseHeld() in-process), then answer normally: a
 *   test can act while a call is certainly in flight at the carrier, with no race against a timer
 * With afterHandling, hang and reset happen after the emulator has acted on the request (a purchase is made,
 * then the answer is lost): the "timed out after sending" case.
 */
export type FaultKind = "status" | "rate_limit" | "latency" | "hang" | "malformed" | "reset" | "hold";

export interface FaultRule {
  readonly kind: FaultKind;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly latencyMs?: number;
  /** How many matching requests this rule applies to; unlimited when absent. */
  readonly times?: number;
  /** Only requests whose path contains this text. */
  readonly pathIncludes?: string;
  /** Only requests with this method. */
  readonly method?: string;
  /** For hang and reset: act on the request first, then lose the answer. */
  readonly afterHandling?: boolean;
}

const FAULT_KINDS: ReadonlySet<string> = new Set(["status", "rate_limit", "latency", "hang", "malformed", "reset", "hold"]);

/** Validates a rule received over the control interface. */
export function parseFaultRule(value: unknown): FaultRule {
  if (typeof value !== "object" || value === null) throw new Error("a fault rule is a JSON object");
  const rule = value as Record<string, unknown>;
  if (typeof rule["kind"] !== "string" || !FAULT_KINDS.has(rule["kind"])) {
    throw new Error(`kind must be one of ${[...FAULT_KINDS].join(", ")}`);
  }
  const numberField = (name: string): number | undefined => {
    const field = rule[name];
    if (field === undefined) return undefined;
    if (typeof field !== "number" || !Number.isFinite(field) || field < 0) throw new Error(`${name} must be a non-negative number`);
    return field;
  };
  const textField = (name: string): string | undefined => {
    const field = rule[name];
    if (field === undefined) return undefined;
    if (typeof field !== "string") throw new Error(`${name} must be a string`);
    return field;
  };
  return {
    kind: rule["kind"] as FaultKind,
    status: numberField("status"),
    retryAfterSeconds: numberField("retryAfterSeconds"),
    latencyMs: numberField("latencyMs"),
    times: numberField("times"),
    pathIncludes: textField("pathIncludes"),
    method: textField("method"),
    afterHandling: rule["afterHandling"] === true,
  };
}

/** An ordered list of rules; the first that matches a request applies and uses up one of its times. */
export class FaultPlan {
  readonly #rules: { rule: FaultRule; remaining: number }[] = [];

  inject(rule: FaultRule): void {
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  get active(): readonly FaultRule[] {
    return this.#rules.map((entry) => entry.rule);
  }

  /** The rule for this request, consuming one use of it. */
  take(method: string, path: string): FaultRule | undefined {
    const index = this.#rules.findIndex(
      ({ rule }) => (!rule.method || rule.method === method) && (!rule.pathIncludes || path.includes(rule.pathIncludes)),
    );
    const entry = this.#rules[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#rules.splice(index, 1);
    return entry.rule;
  }
}
