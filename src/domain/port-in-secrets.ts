import { CarrierError } from "./carrier-error.js";
import type { CarrierPortInRequest } from "./carrier-lifecycle.js";

/** What a port-in request carries to the carrier and nothing may repeat (PIN, account number, e-mail). */
export function portInSecrets(request: Pick<CarrierPortInRequest, "pin" | "accountNumber" | "authorizedEmail"> | undefined): string[] {
  return [request?.pin?.reveal(), request?.accountNumber?.reveal(), request?.authorizedEmail].filter((secret): secret is string => secret !== undefined && secret !== "");
}

/** `text` with every secret blanked out. */
export function blankSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join("[redacted]"), text);
}

/**
 * The carrier's refusal with any of `secrets` blanked out of its words. Carriers echo what they were sent (a
 * Bandwidth 400 repeats the whole LnpOrder, Telnyx the end user, Twilio the losing carrier information); their
 * words travel on in errors, logs and the order's detail, so a secret is cut here, before anything keeps them.
 */
export function withoutPortInSecrets(error: CarrierError, secrets: readonly string[]): CarrierError {
  const said = [error.message, error.carrierMessage ?? ""];
  if (!secrets.some((secret) => said.some((text) => text.includes(secret)))) return error;
  const blank = (text: string) => blankSecrets(text, secrets);
  return new CarrierError({
    kind: error.kind,
    carrierId: error.carrierId,
    operation: error.operation,
    message: blank(error.message),
    httpStatus: error.httpStatus,
    carrierCode: error.carrierCode,
    carrierMessage: error.carrierMessage === undefined ? undefined : blank(error.carrierMessage),
    retryAfterMs: error.retryAfterMs,
    requestMayHaveReachedCarrier: error.requestMayHaveReachedCarrier,
  });
}
