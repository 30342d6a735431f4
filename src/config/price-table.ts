import { readFileSync } from "node:fs";
import { z } from "zod";
import { CARRIERS } from "../carriers/registry.js";
import { NUMBER_TYPES, type CarrierId, type MoneyAmount, type NumberType } from "../domain/numbers.js";
import { ConfigError } from "./load-config.js";
import { PROJECT_ROOT } from "../project-root.js";

const priceEntrySchema = z.object({
  carrier: z.string().refine((id) => CARRIERS.some((carrier) => carrier.id === id), { message: `carrier must be one of ${CARRIERS.map((carrier) => carrier.id).join(", ")}` }),
  country: z.string().regex(/^[A-Z]{2}$/, "country must be an ISO 3166-1 alpha-2 code such as US"),
  number_type: z.enum(NUMBER_TYPES),
  currency: z.string().regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code such as USD"),
  monthly_cents: z.number().int().nonnegative(),
  source: z.string().optional(),
});

const priceTableSchema = z.object({
  description: z.string().optional(),
  prices: z.array(priceEntrySchema),
});

/** Operator-provided monthly prices for carriers whose search answers carry none. */
export class PriceTable {
  readonly #prices = new Map<string, MoneyAmount>();

  constructor(entries: readonly z.infer<typeof priceEntrySchema>[] = []) {
    for (const entry of entries) {
      const key = PriceTable.#key(entry.carrier, entry.country, entry.number_type);
      if (this.#prices.has(key)) throw new ConfigError(`price table lists ${entry.carrier} ${entry.country} ${entry.number_type} twice`);
      this.#prices.set(key, { currencyCode: entry.currency, amountCents: entry.monthly_cents });
    }
  }

  get size(): number {
    return this.#prices.size;
  }

  priceOf(carrierId: CarrierId, countryCode: string, numberType: NumberType): MoneyAmount | undefined {
    return this.#prices.get(PriceTable.#key(carrierId, countryCode, numberType));
  }

  static #key(carrierId: string, countryCode: string, numberType: string): string {
    return `${carrierId}/${countryCode}/${numberType}`;
  }

  /** Reads and validates a price table file; problems name the file and the entry. */
  static fromFile(path: string): PriceTable {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      const reason = error instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
      throw new ConfigError(`NUMBERGATE_PRICE_TABLE ${path} ${reason}`);
    }
    const parsed = priceTableSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`NUMBERGATE_PRICE_TABLE ${path}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}`);
    }
    return new PriceTable(parsed.data.prices);
  }
}

/** The sample table shipped with numbergate, used in sandbox mode when no table is configured. */
export const SAMPLE_PRICE_TABLE_PATH = new URL("config/prices.sample.json", PROJECT_ROOT);
