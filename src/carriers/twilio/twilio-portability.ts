import type { CarrierCallOptions } from "../../domain/carrier-adapter.js";
import type { CarrierPortabilityAnswer } from "../../domain/carrier-lifecycle.js";
import type { NumberType } from "../../domain/numbers.js";
import type { ParsedPhoneNumber } from "../../domain/phone-number.js";
import type { CarrierHttpClient } from "../kit/carrier-http-client.js";
import { parseJsonBody } from "../kit/response-body.js";
import { twilioErrorFromResponse } from "./twilio-error.js";
import { twilioPortabilitySchema, type TwilioPortability } from "./twilio-wire.js";

const OPERATION = "portability";
/** Twilio limits concurrency per account (20429); a batch check must leave room for the account's other calls. */
const MAX_CONCURRENT_CHECKS = 5;

// UNKNOWN, and any type Twilio adds later, is not a type numbergate can name.
const NUMBER_TYPES: ReadonlyMap<string, NumberType> = new Map([
  ["LOCAL", "local"],
  ["MOBILE", "mobile"],
  ["TOLL-FREE", "toll_free"],
]);

/**
 * Asks Twilio's Numbers v1 Portability resource about each number (it takes one number per request), at most
 * MAX_CONCURRENT_CHECKS at a time, and answers in the order asked. One failed request fails the whole check.
 */
export async function twilioCheckPortability(
  numbersApi: CarrierHttpClient,
  accountSid: string,
  numbers: readonly ParsedPhoneNumber[],
  options: CarrierCallOptions,
): Promise<readonly CarrierPortabilityAnswer[]> {
  const answers: CarrierPortabilityAnswer[] = [];
  // Once one number has failed the check is lost: the requests still in flight are cancelled rather than awaited.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  // One iterator shared by the workers: each number is taken exactly once.
  const queue = numbers.entries();
  const worker = async (): Promise<void> => {
    for (const [index, number] of queue) {
      if (signal.aborted) return;
      answers[index] = await checkOne(numbersApi, accountSid, number, signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_CHECKS, numbers.length) }, worker));
  } catch (error) {
    failed.abort();
    throw error;
  }
  return answers;
}

async function checkOne(numbersApi: CarrierHttpClient, accountSid: string, number: ParsedPhoneNumber, signal: AbortSignal): Promise<CarrierPortabilityAnswer> {
  const response = await numbersApi.request({
    method: "GET",
    path: `/v1/Porting/Portability/PhoneNumber/${encodeURIComponent(number.e164)}`,
    // Without it Twilio judges for the authenticated account, which is not the configured one under a parent's credentials.
    query: { TargetAccountSid: accountSid },
    operation: OPERATION,
    signal,
  });
  if (response.status < 200 || response.status >= 300) throw twilioErrorFromResponse(response, OPERATION);
  return toAnswer(number.e164, parseJsonBody(response, twilioPortabilitySchema, "twilio", OPERATION));
}

function toAnswer(e164: string, portability: TwilioPortability): CarrierPortabilityAnswer {
  // A null `portable` is no promise that the port would be accepted.
  const portable = portability.portable === true;
  return {
    e164,
    portable,
    notPortableReason: portable ? undefined : reasonOf(portability),
    // The Portability resource does not name the losing carrier.
    losingCarrierName: undefined,
    accountNumberRequired: portability.pin_and_account_number_required === true,
    numberType: portability.number_type == null ? undefined : NUMBER_TYPES.get(portability.number_type),
  };
}

function reasonOf(portability: TwilioPortability): string {
  const words = portability.not_portable_reason ?? "Twilio did not say why the number is not portable";
  const code = portability.not_portable_reason_code;
  return code == null ? words : `${words} (${code})`;
}
