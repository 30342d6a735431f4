import type { MoneyAmount } from "../../domain/numbers.js";

/**
 * Telnyx prices offers itself: `cost_information.monthly_cost` is a decimal string ("1.00000", "6.54") in
 * `currency` (telnyx.md, Search). It is read digit by digit into integer minor units, never through a float.
 * A price with more precision than the currency's minor unit (USD 0.005) is rounded up to the next minor unit, so
 * a price filter never admits a number that costs more than the caller's limit. Undefined when unreadable.
 */
export function telnyxMonthlyPrice(amount: string | null | undefined, currency: string | null | undefined): MoneyAmount | undefined {
  if (!amount || !currency) return undefined;
  const currencyCode = currency.trim().toUpperCase();
  const fractionDigits = minorUnitDigits(currencyCode);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (fractionDigits === undefined || !match) return undefined;
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  const kept = fraction.slice(0, fractionDigits).padEnd(fractionDigits, "0");
  let minorUnits = BigInt(whole) * 10n ** BigInt(fractionDigits) + BigInt(kept === "" ? "0" : kept);
  if (/[1-9]/.test(fraction.slice(fractionDigits))) minorUnits += 1n;
  if (minorUnits > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { currencyCode, amountCents: Number(minorUnits) };
}

/** ISO 4217 minor-unit digits (USD 2, JPY 0, BHD 3), from ICU; undefined for a code that is not a currency. */
function minorUnitDigits(currencyCode: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currencyCode)) return undefined;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode }).resolvedOptions().maximumFractionDigits;
  } catch {
    return undefined;
  }
}
