import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierPortInRequest } from "../../domain/carrier-lifecycle.js";

/** The secrets a port-in request carries to the carrier (PIN, account number), for blanking out of its answers. */
export function portInSecrets(request: Pick<CarrierPortInRequest, "pin" | "accountNumber"> | undefined): string[] {
  return [request?.pin?.reveal(), request?.accountNumber?.reveal()].filter((secret): secret is string => secret !== undefined && secret !== "");
}

/**
 * The carrier's refusal with any of `secrets` blanked out of its words. Carriers echo what they were sent (a
 * Bandwidth 400 repeats the whole LnpOrder, Telnyx the end user, Twilio the losing carrier information); their
 * words travel on in errors, logs and the order's detail, so a secret is cut here, before anything keeps them.
 */
export function withoutPortInSecrets(error: CarrierError, secrets: readonly string[]): CarrierError {
  const said = [error.message, error.carrierMessage ?? ""];
  if (!secrets.some((secret) => said.some((text) => text.includes(secret)))) return error;
  const blank = (text: string) => secrets.reduce((result, secret) => result.split(secret).join("[redacted]"), text);
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
