import type { Duration, Money, Timestamp } from "./messages.js";

/** "2025-03-01T12:00:05Z": UTC to the second, as operators compare times across machines. */
export function formatTime(timestamp: Timestamp | null | undefined): string {
  if (!timestamp || (timestamp.seconds === "0" && timestamp.nanos === 0)) return "";
  const milliseconds = Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6);
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** "2s", "1.5s", "340ms". */
export function formatDuration(duration: Duration | null | undefined): string {
  if (!duration) return "";
  const milliseconds = Number(duration.seconds) * 1000 + duration.nanos / 1e6;
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  return `${Number((milliseconds / 1000).toFixed(3))}s`;
}

/** "USD 1.15"; empty when the price is not known (an unset Money never means zero). */
export function formatMoney(money: Money | null | undefined): string {
  if (!money) return "";
  const cents = BigInt(money.amountCents);
  const sign = cents < 0n ? "-" : "";
  const absolute = cents < 0n ? -cents : cents;
  return `${money.currencyCode} ${sign}${absolute / 100n}.${String(absolute % 100n).padStart(2, "0")}`;
}

/** A 0-100 percentage with at most one decimal. */
export function formatPercent(value: number): string {
  return `${Number(value.toFixed(1))}%`;
}

/**
 * An enum value without its type prefix, in lower case: ("PROVIDER_STATUS_HEALTHY", "PROVIDER_STATUS_") gives
 * "healthy". A value of a newer contract without the prefix is shown whole.
 */
export function shortEnum(value: string, prefix: string): string {
  return (value.startsWith(prefix) ? value.slice(prefix.length) : value).toLowerCase();
}

/**
 * The enum value an operator means by "in_doubt", "in-doubt", "IN_DOUBT" or the full name, or undefined when
 * `values` (the contract's value names) has none such.
 */
export function parseEnum(input: string, prefix: string, values: readonly string[]): string | undefined {
  const upper = input.trim().toUpperCase().replace(/-/g, "_");
  const candidate = upper.startsWith(prefix) ? upper : `${prefix}${upper}`;
  return values.includes(candidate) && !candidate.endsWith("_UNSPECIFIED") ? candidate : undefined;
}

/** The value names an operator may type for an enum, for a usage message. */
export function enumChoices(prefix: string, values: readonly string[]): string {
  return values
    .filter((value) => !value.endsWith("_UNSPECIFIED"))
    .map((value) => shortEnum(value, prefix))
    .join(", ");
}
