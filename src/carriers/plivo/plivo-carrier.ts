import { randomBytes } from "node:crypto";
import { z } from "zod";
import { Secret } from "../../config/secret.js";
import { baseUrlVariable, optionalText } from "../../config/variables.js";
import { parseVariables, type CarrierConnection, type CarrierDefinition } from "../kit/carrier-definition.js";
import { PLIVO_DESCRIPTOR, PlivoAdapter } from "./plivo-adapter.js";
import type { PlivoEmulator, PlivoEmulatorOptions } from "./plivo-emulator.js";
import { PLIVO_REQUESTS_PER_SECOND } from "./plivo-wire.js";

const variablesSchema = z.object({
  // Plivo's Auth IDs are 20 characters: MA + 18 for an account, SA + 18 for a subaccount (plivo.md examples).
  PLIVO_AUTH_ID: optionalText({ regex: /^[A-Z]{2}[A-Z0-9]{18}$/, description: "the 20-character Auth ID from the Plivo console (MA... or SA...)" }),
  PLIVO_AUTH_TOKEN: optionalText(),
  PLIVO_API_URL: baseUrlVariable("https://api.plivo.com/v1"),
});

const CREDENTIAL_VARIABLES = ["PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN"] as const;

type PlivoConnectionSettings = {
  readonly authId: string;
  readonly authToken: Secret;
  readonly apiUrl: URL;
};

function connection(settings: PlivoConnectionSettings): CarrierConnection {
  return {
    settings,
    createAdapter: ({ dispatcher }) => new PlivoAdapter({ authId: settings.authId, authToken: settings.authToken.reveal(), apiBaseUrl: settings.apiUrl, dispatcher }),
  };
}

/** Fixed credentials for `npm run emulators`: a fake carrier on loopback, printed on purpose. */
const FIXED_CREDENTIALS: PlivoEmulatorOptions = { authId: "MASANDBOX00000000001", authToken: "sandbox-plivo-auth-token" };

const AUTH_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function randomCredentials(): PlivoEmulatorOptions {
  const suffix = [...randomBytes(18)].map((byte) => AUTH_ID_ALPHABET[byte % AUTH_ID_ALPHABET.length] ?? "0").join("");
  return { authId: `MA${suffix}`, authToken: randomBytes(20).toString("hex") };
}

export const plivoCarrier: CarrierDefinition<"plivo", PlivoEmulator> = {
  id: "plivo",
  displayName: "Plivo",
  descriptor: PLIVO_DESCRIPTOR,
  envPrefix: "PLIVO",
  // Plivo publishes a rate (300 requests per 5 s per account, plivo.md [P11]) but no concurrency limit: 10 calls
  // in flight stay well inside that rate at Plivo's usual latencies.
  defaults: { priority: 5, maxConcurrency: 10, ratePerSecond: PLIVO_REQUESTS_PER_SECOND },
  variables: {
    PLIVO_AUTH_ID: { description: "Plivo Auth ID (MA... or SA..., 20 characters): the Basic-auth user, and part of every path" },
    PLIVO_AUTH_TOKEN: { description: "the Auth Token (Basic auth with the Auth ID)", secret: true },
    PLIVO_API_URL: { description: "base URL of Plivo's API, before /Account/{auth_id}/" },
  },
  credentialVariables: CREDENTIAL_VARIABLES,
  credentialHint: "PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN",
  priceSource: "carrier",
  apiSpec: {
    // servers: https://api.plivo.com/v1/Account/{auth_id}, paths /PhoneNumber/ etc. Derived from Plivo's docs.
    documents: "plivo/numbers.derived.openapi.yaml",
    basePath: "/v1/Account/{auth_id}",
    official: false,
  },

  checkVariables(environment, problems) {
    parseVariables(variablesSchema, environment, problems);
  },

  /** Plivo needs its Auth ID and Auth Token together; each missing one is reported. */
  readConnection(environment, problems) {
    const values = parseVariables(variablesSchema, environment, problems);
    const { PLIVO_AUTH_ID: authId, PLIVO_AUTH_TOKEN: authToken } = values;
    const reportedMalformed = CREDENTIAL_VARIABLES.some((variable) => problems.has(variable));
    if (!authId && !authToken && !reportedMalformed) return undefined;
    if (!authId && !problems.has("PLIVO_AUTH_ID")) problems.add(["PLIVO_AUTH_ID"], "PLIVO_AUTH_ID is required when PLIVO_AUTH_TOKEN is set");
    if (!authToken) problems.add(["PLIVO_AUTH_TOKEN"], "PLIVO_AUTH_TOKEN is required when PLIVO_AUTH_ID is set");
    if (!authId || !authToken) return undefined;
    return connection({ authId, authToken: new Secret(authToken), apiUrl: values.PLIVO_API_URL });
  },

  async startEmulator(options) {
    // Loaded only when an emulator starts (sandbox mode, `npm run emulators`): live mode never reads its code.
    const { PlivoEmulator } = await import("./plivo-emulator.js");
    const credentials = options.fixedCredentials ? FIXED_CREDENTIALS : randomCredentials();
    const emulator = new PlivoEmulator(credentials);
    if (options.stateFile !== undefined) emulator.persistStateIn(options.stateFile);
    await emulator.start(options.port, options.host);
    return {
      emulator,
      connection: connection({ authId: credentials.authId, authToken: new Secret(credentials.authToken), apiUrl: new URL(emulator.baseUrl) }),
      environment: { PLIVO_API_URL: emulator.baseUrl, PLIVO_AUTH_ID: credentials.authId, PLIVO_AUTH_TOKEN: credentials.authToken },
    };
  },
};
