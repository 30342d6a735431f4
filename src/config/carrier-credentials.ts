import type { CarrierId } from "../domain/numbers.js";
import type { ConfigProblems } from "./config-problems.js";
import type { ParsedEnvironment } from "./env-schema.js";
import { Secret } from "./secret.js";

export interface TwilioCredentials {
  readonly accountSid: string;
  /** The Account SID, or the API key SID when an API key is used. */
  readonly username: string;
  readonly password: Secret;
}

export interface BandwidthCredentials {
  readonly username: string;
  readonly password: Secret;
  readonly accountId: string;
  readonly siteId: string | undefined;
  readonly peerId: string | undefined;
}

/** Every variable that holds a carrier credential, per carrier: any of them set means "live unless told otherwise". */
export const CREDENTIAL_VARIABLES: Readonly<Record<CarrierId, readonly string[]>> = {
  twilio: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"],
  bandwidth: ["BANDWIDTH_USERNAME", "BANDWIDTH_PASSWORD", "BANDWIDTH_ACCOUNT_ID"],
};

const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;

/**
 * Twilio authenticates with the auth token or with an API key and its secret. A half pair next to an auth token
 * is what the seed's environment carries (TWILIO_API_KEY without TWILIO_API_SECRET): it cannot be used, so it is
 * ignored with a warning and the token is used. A half pair with no token to fall back on is a problem.
 */
export function readTwilioCredentials(env: ParsedEnvironment, problems: ConfigProblems, warnings: string[]): TwilioCredentials | undefined {
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_API_KEY: key, TWILIO_API_SECRET: secret } = env;
  if (!sid && !token && !key && !secret) return undefined;
  const keyPair = key !== undefined && secret !== undefined ? { key, secret } : undefined;
  if (!keyPair && (key !== undefined || secret !== undefined)) {
    const [present, missing] = key !== undefined ? ["TWILIO_API_KEY", "TWILIO_API_SECRET"] : ["TWILIO_API_SECRET", "TWILIO_API_KEY"];
    if (token) warnings.push(`${present} is set without ${missing}, so it is ignored: Twilio is called with TWILIO_AUTH_TOKEN`);
    else problems.add([missing], `${missing} is required when ${present} is set (or set TWILIO_AUTH_TOKEN instead)`);
  }
  if (!sid) {
    problems.add(["TWILIO_ACCOUNT_SID"], "TWILIO_ACCOUNT_SID is required when other TWILIO_ credentials are set");
    return undefined;
  }
  if (keyPair) {
    // Checked only here: a key that is ignored (no secret, a token present) may be anything.
    if (!API_KEY_SID.test(keyPair.key)) {
      problems.add(["TWILIO_API_KEY"], "TWILIO_API_KEY must be SK followed by 32 hex digits");
      return undefined;
    }
    return { accountSid: sid, username: keyPair.key, password: new Secret(keyPair.secret) };
  }
  if (token) return { accountSid: sid, username: sid, password: new Secret(token) };
  if (key === undefined && secret === undefined) {
    problems.add(["TWILIO_AUTH_TOKEN"], "TWILIO_AUTH_TOKEN (or TWILIO_API_KEY with TWILIO_API_SECRET) is required with TWILIO_ACCOUNT_SID");
  }
  return undefined;
}

/** Bandwidth needs its API user, password and account id together; every missing one is reported. */
export function readBandwidthCredentials(env: ParsedEnvironment, problems: ConfigProblems): BandwidthCredentials | undefined {
  const { BANDWIDTH_USERNAME: username, BANDWIDTH_PASSWORD: password, BANDWIDTH_ACCOUNT_ID: accountId } = env;
  const reportedMalformed = CREDENTIAL_VARIABLES.bandwidth.some((variable) => problems.has(variable));
  if (!username && !password && !accountId && !reportedMalformed) return undefined;
  const values: Readonly<Record<string, string | undefined>> = { BANDWIDTH_USERNAME: username, BANDWIDTH_PASSWORD: password, BANDWIDTH_ACCOUNT_ID: accountId };
  for (const variable of CREDENTIAL_VARIABLES.bandwidth) {
    if (values[variable] === undefined) problems.add([variable], `${variable} is required when other BANDWIDTH_ credentials are set`);
  }
  if (!username || !password || !accountId) return undefined;
  return { username, password: new Secret(password), accountId, siteId: env.BANDWIDTH_SITE_ID, peerId: env.BANDWIDTH_PEER_ID };
}

const CREDENTIAL_HINT: Readonly<Record<CarrierId, string>> = {
  twilio: "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)",
  bandwidth: "BANDWIDTH_USERNAME, BANDWIDTH_PASSWORD and BANDWIDTH_ACCOUNT_ID",
};

/** Live mode calls every enabled carrier for real: one without credentials (and no other problem said why) is refused. */
export function requireLiveCredentials(carrier: CarrierId, enabled: boolean, credentials: unknown, problems: ConfigProblems): void {
  if (!enabled || credentials !== undefined) return;
  if (CREDENTIAL_VARIABLES[carrier].some((variable) => problems.has(variable))) return;
  const variable = `${carrier.toUpperCase()}_ENABLED`;
  problems.add(
    [variable],
    `NUMBERGATE_MODE=live needs ${CREDENTIAL_HINT[carrier]} while ${variable} is true (set ${variable}=false to run without ${carrier})`,
  );
}
