import type { MoneyAmount } from "../../domain/numbers.js";

/** Vonage prices every number in euros: `cost` is "The monthly rental cost for this number, in Euros" (spec, availablenumber). */
export const VONAGE_CURRENCY = "EUR";

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * A Vonage decimal string ("1.25", "0.9", "12") as integer euro cents, computed on the digits so that no binary
 * floating point touches money. The spec's and the SDKs' examples carry two decimals; a longer fraction is rounded
 * half up to the cent. Undefined for anything that is not a plain non-negative decimal.
 */
export function eurosToCents(decimal: string): number | undefined {
  const match = DECIMAL.exec(decimal.trim());
  if (!match) return undefined;
  const [, whole = "0", fraction = ""] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
  const roundedUp = (fraction[2] ?? "0") >= "5" ? cents + 1 : cents;
  return Number.isSafeInteger(roundedUp) ? roundedUp : undefined;
}

/** A Vonage `cost` as numbergate's monthly price; undefined when absent or unreadable (the price is then unknown). */
export function vonageMonthlyPrice(cost: string | undefined): MoneyAmount | undefined {
  const amountCents = cost === undefined ? undefined : eurosToCents(cost);
  return amountCents === undefined ? undefined : { currencyCode: VONAGE_CURRENCY, amountCents };
}
