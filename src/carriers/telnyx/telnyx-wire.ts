import { z } from "zod";

/**
 * Telnyx's Numbers API v2 on the wire (telnyx.md; schemas of telnyx/openapi.trimmed.json): JSON both ways, every
 * answer wrapped in `{"data": ...}`, lists with `meta`. Only what numbergate reads is modelled, and leniently
 * (nullish) where the spec and the docs' samples disagree: fewer fields, fewer breakages.
 */

/** Every write is JSON (telnyx.md, Basics). */
export const TELNYX_JSON = "application/json";

/** `numbers_Errors`: `{"errors":[{"code":"10015","title":..., "detail":..., "source":{...}}]}`; `code` is a string. */
export const telnyxErrorBodySchema = z.object({
  errors: z.array(
    z.object({
      // A string in the spec; a number is taken too rather than losing the code.
      code: z.union([z.string(), z.number()]).transform(String).optional(),
      title: z.string().nullish(),
      detail: z.string().nullish(),
    }),
  ),
});

/** `PaginationMeta` of the paged lists (page[number] / page[size]). */
export const telnyxPageMetaSchema = z.object({
  page_number: z.number().int().nullish(),
  page_size: z.number().int().nullish(),
  total_pages: z.number().int().nullish(),
  total_results: z.number().int().nullish(),
});

/** `AvailablePhoneNumber`; `phone_number_type` is in the docs' samples only (telnyx.md, Search). */
export const telnyxAvailableNumberSchema = z.object({
  phone_number: z.string(),
  best_effort: z.boolean().nullish(),
  phone_number_type: z.string().nullish(),
  region_information: z.array(z.object({ region_type: z.string().nullish(), region_name: z.string().nullish() })).nullish(),
  features: z.array(z.object({ name: z.string() })).nullish(),
  cost_information: z.object({ monthly_cost: z.string().nullish(), currency: z.string().nullish() }).nullish(),
});
export type TelnyxAvailableNumber = z.infer<typeof telnyxAvailableNumberSchema>;

export const telnyxAvailableNumbersSchema = z.object({ data: z.array(telnyxAvailableNumberSchema) });

/** `PhoneNumber` of a number order: the per-number outcome (telnyx.md: "always check each number"). */
const orderPhoneNumberSchema = z.object({
  id: z.string().nullish(),
  phone_number: z.string(),
  status: z.string().nullish(),
  requirements_met: z.boolean().nullish(),
  requirements_status: z.string().nullish(),
});

/** `NumberOrderWithPhoneNumbers` (POST /number_orders and GET /number_orders/{id}). */
export const telnyxNumberOrderSchema = z.object({
  id: z.string(),
  status: z.string().nullish(),
  customer_reference: z.string().nullish(),
  phone_numbers: z.array(orderPhoneNumberSchema).nullish(),
});
export type TelnyxNumberOrder = z.infer<typeof telnyxNumberOrderSchema>;

export const telnyxNumberOrderAnswerSchema = z.object({ data: telnyxNumberOrderSchema });

/** GET /number_orders lists `NumberOrder`s, whose phone numbers carry no status: each order is then fetched. */
export const telnyxNumberOrderListSchema = z.object({
  data: z.array(z.object({ id: z.string(), customer_reference: z.string().nullish() })),
  meta: telnyxPageMetaSchema.nullish(),
});

/** `PhoneNumberDetailed`: a number on the account; `id` is the inventory id DELETE /phone_numbers/{id} takes. */
export const telnyxPhoneNumberSchema = z.object({
  id: z.string(),
  phone_number: z.string(),
  status: z.string().nullish(),
  phone_number_type: z.string().nullish(),
});
export type TelnyxPhoneNumber = z.infer<typeof telnyxPhoneNumberSchema>;

export const telnyxPhoneNumberListSchema = z.object({ data: z.array(telnyxPhoneNumberSchema), meta: telnyxPageMetaSchema.nullish() });

/** DELETE /phone_numbers/{id}: `PhoneNumberDeletedDetailed`, whose `status` is `deleted` once it is off the account. */
export const telnyxDeletedPhoneNumberSchema = z.object({ data: z.object({ id: z.string().nullish(), status: z.string().nullish() }) });

/**
 * `NumberReservation`. Statuses are parsed as plain strings: the guide reports `partial_success`, which the spec's
 * enum (pending|success|failure) lacks (telnyx.md, Reserve).
 */
export const telnyxReservationAnswerSchema = z.object({
  data: z.object({
    id: z.string(),
    status: z.string().nullish(),
    errors: z.string().nullish(),
    phone_numbers: z
      .array(z.object({ phone_number: z.string(), status: z.string().nullish(), expired_at: z.string().nullish(), errors: z.string().nullish() }))
      .nullish(),
  }),
});

/** Statuses of a number on the account under which it is no longer held (PhoneNumberDetailed.status). */
export const TELNYX_NOT_HELD_STATUSES: ReadonlySet<string> = new Set(["deleted", "purchase-failed", "port-failed", "ported-out"]);

/**
 * PostPortabilityCheck's 201: `data[]` of `PortabilityCheckDetails` (telnyx.md, Porting). The spec has no losing
 * carrier, account-number requirement or number type on it; `not_portable_reason` is an empty string when portable.
 */
export const telnyxPortabilityCheckAnswerSchema = z.object({
  data: z.array(
    z.object({
      phone_number: z.string(),
      portable: z.boolean(),
      not_portable_reason: z.string().nullish(),
      fast_portable: z.boolean().nullish(),
    }),
  ),
});
