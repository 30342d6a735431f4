import { request, type Dispatcher } from "undici";
import type { CarrierEmulator } from "../../src/carriers/emulator-kit/carrier-emulator.js";

/**
 * Whether the carrier's own 429 says when to retry (Retry-After, or an x-ratelimit-reset header as Bandwidth and
 * Telnyx send), read raw from its emulator; Vonage and Plivo document none. The probe request is taken back out of
 * the emulator's record, so spec checks of what the adapter sent do not see it.
 */
export async function sendsRetryHint(emulator: CarrierEmulator, dispatcher?: Dispatcher): Promise<boolean> {
  emulator.faults.inject({ kind: "rate_limit", retryAfterSeconds: 2, times: 1 });
  const recorded = emulator.requests.length;
  const answer = await request(`${emulator.baseUrl}/`, dispatcher ? { dispatcher } : {});
  await answer.body.dump();
  if (answer.statusCode !== 429) throw new Error(`the ${emulator.baseUrl} probe answered ${answer.statusCode}, not 429`);
  emulator.requests.splice(recorded);
  return answer.headers["retry-after"] !== undefined || answer.headers["x-ratelimit-reset"] !== undefined;
}
