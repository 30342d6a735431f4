import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortabilityAnswer } from "../../domain/carrier-lifecycle.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { expectTelnyxStatus } from "./telnyx-error.js";
import { TELNYX_JSON, telnyxPortabilityCheckAnswerSchema } from "./telnyx-wire.js";

const OPERATION = "portability";

/**
 * POST /portability_checks (PostPortabilityCheck), answered synchronously with 201. Telnyx's answer names only
 * portability and FastPort eligibility: it has no losing carrier, no account-number requirement and no number type,
 * so those are reported as unknown (undefined, false, undefined) rather than guessed. Its reasons carry no code.
 *
 * Each number is sent once even when asked twice (a repeated number is a 10015 at the emulator, and nothing in the
 * spec says Telnyx answers it twice); answers are matched back by number, so the asked order holds whatever order
 * Telnyx answers in.
 */
export async function telnyxCheckPortability(
  api: CarrierHttpClient,
  numbers: readonly ParsedPhoneNumber[],
  options: CarrierCallOptions,
): Promise<readonly CarrierPortabilityAnswer[]> {
  // An empty list is refused by Telnyx (10015) and has nothing to answer anyway.
  if (numbers.length === 0) return [];
  const distinct = [...new Set(numbers.map((number) => number.e164))];
  const response = await api.request({
    method: "POST",
    path: "/portability_checks",
    body: JSON.stringify({ phone_numbers: distinct }),
    contentType: TELNYX_JSON,
    operation: OPERATION,
    signal: options.signal,
  });
  expectTelnyxStatus(response, OPERATION, [200, 201]);
  const results = new Map(parseJsonBody(response, telnyxPortabilityCheckAnswerSchema, "telnyx", OPERATION).data.map((result) => [result.phone_number, result]));
  return numbers.map((number): CarrierPortabilityAnswer => {
    const result = results.get(number.e164);
    if (!result) {
      // Telnyx accepted the check but said nothing about this number: a broken answer, not a "not portable".
      throw new CarrierError({
        kind: "carrier_server",
        carrierId: "telnyx",
        operation: OPERATION,
        message: `telnyx answered the portability check without a result for ${number.e164}`,
        httpStatus: response.status,
        requestMayHaveReachedCarrier: true,
      });
    }
    return {
      e164: number.e164,
      portable: result.portable,
      notPortableReason: result.portable ? undefined : result.not_portable_reason || undefined,
      losingCarrierName: undefined,
      accountNumberRequired: false,
      numberType: undefined,
    };
  });
}
