import { randomBytes } from "node:crypto";
import { z } from "zod";
import { Secret } from "../../config/secret.js";
import { baseUrlVariable, optionalText } from "../../config/variables.js";
import { parseVariables, type CarrierConnection, type CarrierDefinition } from "../kit/carrier-definition.js";
import { TELNYX_DESCRIPTOR, TelnyxAdapter } from "./telnyx-adapter.js";
import type { TelnyxEmulator } from "./telnyx-emulator.js";

const variablesSchema = z.object({
  // A Bearer token (RFC 6750 token68): anything else could not be sent in the Authorization header.
  TELNYX_API_KEY: optionalText({ regex: /^[A-Za-z0-9\-._~+/]+=*$/, description: "a Telnyx API key (letters, digits and -._~+/ only)" }),
  TELNYX_API_URL: baseUrlVariable("https://api.telnyx.com/v2"),
  // Telnyx's portal shows the webhook public key as the raw 32-byte Ed25519 key in base64: 44 characters.
  TELNYX_PUBLIC_KEY: optionalText({ regex: /^[A-Za-z0-9+/]{43}=$/, description: "Telnyx's webhook public key as its portal shows it (base64, 44 characters)" }),
});

const CREDENTIAL_VARIABLES = ["TELNYX_API_KEY"] as const;

type TelnyxConnectionSettings = {
  readonly apiKey: Secret;
  readonly apiUrl: URL;
  /** Verifies porting webhooks; not a secret (Telnyx publishes it to the account). */
  readonly publicKey: string | undefined;
};

function connection(settings: TelnyxConnectionSettings): CarrierConnection {
  return {
    settings,
    createAdapter: ({ dispatcher }) => new TelnyxAdapter({ apiKey: settings.apiKey.reveal(), apiBaseUrl: settings.apiUrl, dispatcher, webhookPublicKey: settings.publicKey }),
  };
}

/** Fixed key for `npm run emulators`: a fake carrier on loopback, printed on purpose. */
const FIXED_API_KEY = "KEYSANDBOX0000000000000000000TELNYX_sandbox";

function randomApiKey(): string {
  return `KEY${randomBytes(16).toString("hex").toUpperCase()}_${randomBytes(8).toString("hex")}`;
}

export const telnyxCarrier: CarrierDefinition<"telnyx", TelnyxEmulator> = {
  id: "telnyx",
  displayName: "Telnyx",
  descriptor: TELNYX_DESCRIPTOR,
  envPrefix: "TELNYX",
  // Telnyx publishes no request rate or concurrency figure (telnyx.md, Rate limits: 429 with x-ratelimit-* headers
  // only), so there is no rate limit by default; the concurrency default is the one numbergate gives Bandwidth.
  defaults: { priority: 3, maxConcurrency: 10, ratePerSecond: 0 },
  variables: {
    TELNYX_API_KEY: { description: "Telnyx API key (sent as `Authorization: Bearer`)", secret: true },
    TELNYX_API_URL: { description: "base URL of Telnyx's API v2" },
    TELNYX_PUBLIC_KEY: { description: "Telnyx's webhook public key (base64, from the portal): verifies porting notifications" },
  },
  credentialVariables: CREDENTIAL_VARIABLES,
  credentialHint: "TELNYX_API_KEY",
  priceSource: "carrier",
  apiSpec: {
    // servers: https://api.telnyx.com/v2, and the spec's paths (/available_phone_numbers) carry no /v2.
    documents: "telnyx/openapi.trimmed.json",
    basePath: "/v2",
    official: true,
  },

  checkVariables(environment, problems) {
    parseVariables(variablesSchema, environment, problems);
  },

  readConnection(environment, problems) {
    const values = parseVariables(variablesSchema, environment, problems);
    // A malformed key was reported by the schema; none at all means Telnyx is not configured.
    if (values.TELNYX_API_KEY === undefined) return undefined;
    return connection({ apiKey: new Secret(values.TELNYX_API_KEY), apiUrl: values.TELNYX_API_URL, publicKey: values.TELNYX_PUBLIC_KEY });
  },

  async startEmulator(options) {
    // Loaded only when an emulator starts (sandbox mode, `npm run emulators`): live mode never reads its code.
    const { TelnyxEmulator } = await import("./telnyx-emulator.js");
    const apiKey = options.fixedCredentials ? FIXED_API_KEY : randomApiKey();
    // Requested FOC dates are judged on real time, as Telnyx does, even when porting orders walk on a faster clock.
    const emulator = new TelnyxEmulator({ apiKey, portingNow: options.portingClock, portingRequestNow: options.portingClock ? () => Date.now() : undefined });
    if (options.stateFile !== undefined) emulator.persistStateIn(options.stateFile);
    await emulator.start(options.port, options.host);
    return {
      emulator,
      connection: connection({ apiKey: new Secret(apiKey), apiUrl: new URL(emulator.baseUrl), publicKey: emulator.webhookPublicKey }),
      environment: { TELNYX_API_URL: emulator.baseUrl, TELNYX_API_KEY: apiKey, TELNYX_PUBLIC_KEY: emulator.webhookPublicKey },
    };
  },
};
