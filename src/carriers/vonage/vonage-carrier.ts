import { randomBytes } from "node:crypto";
import { z } from "zod";
import { Secret } from "../../config/secret.js";
import { baseUrlVariable, optionalText } from "../../config/variables.js";
import { parseVariables, type CarrierConnection, type CarrierDefinition } from "../kit/carrier-definition.js";
import { VONAGE_DESCRIPTOR, VonageAdapter } from "./vonage-adapter.js";
import type { VonageEmulator, VonageEmulatorOptions } from "./vonage-emulator.js";

const variablesSchema = z.object({
  // Letters and digits, like the spec's examples ("abcd1234", "1a2345b7"); a ':' would break Basic auth.
  VONAGE_API_KEY: optionalText({ regex: /^[A-Za-z0-9]{1,64}$/, description: "the API key from the Vonage dashboard (letters and digits)" }),
  VONAGE_API_SECRET: optionalText(),
  VONAGE_API_URL: baseUrlVariable("https://rest.nexmo.com"),
});

const CREDENTIAL_VARIABLES = ["VONAGE_API_KEY", "VONAGE_API_SECRET"] as const;

type VonageConnectionSettings = {
  readonly apiKey: string;
  readonly apiSecret: Secret;
  readonly apiUrl: URL;
};

function connection(settings: VonageConnectionSettings): CarrierConnection {
  return {
    settings,
    createAdapter: ({ dispatcher }) => new VonageAdapter({ apiKey: settings.apiKey, apiSecret: settings.apiSecret.reveal(), apiBaseUrl: settings.apiUrl, dispatcher }),
  };
}

/** Fixed credentials for `npm run emulators`: a fake carrier on loopback, printed on purpose. */
const FIXED_CREDENTIALS: VonageEmulatorOptions = { apiKey: "sandbox0", apiSecret: "sandbox-vonage-secret" };

/** The shape of real ones: an 8-hex-digit key and a 16-character secret. */
function randomCredentials(): VonageEmulatorOptions {
  return { apiKey: randomBytes(4).toString("hex"), apiSecret: randomBytes(8).toString("hex") };
}

export const vonageCarrier: CarrierDefinition<"vonage", VonageEmulator> = {
  id: "vonage",
  displayName: "Vonage",
  descriptor: VONAGE_DESCRIPTOR,
  envPrefix: "VONAGE",
  // Vonage publishes no Numbers API rate or concurrency limit (vonage.md, Rate limits): no rate limit, and numbergate's
  // own cap on calls in flight (the concurrency limit cannot be "none": 0 would admit no call).
  defaults: { priority: 4, maxConcurrency: 10, ratePerSecond: 0 },
  variables: {
    VONAGE_API_KEY: { description: "Vonage API key (Basic auth user)" },
    VONAGE_API_SECRET: { description: "the API key's secret (Basic auth password)", secret: true },
    VONAGE_API_URL: { description: "base URL of Vonage's Numbers API" },
  },
  credentialVariables: CREDENTIAL_VARIABLES,
  credentialHint: "VONAGE_API_KEY and VONAGE_API_SECRET",
  priceSource: "carrier",
  apiSpec: {
    // servers: https://rest.nexmo.com; the paths (/number/search, /account/numbers) are complete.
    documents: "vonage/numbers.yml",
    basePath: "",
    official: true,
  },

  checkVariables(environment, problems) {
    parseVariables(variablesSchema, environment, problems);
  },

  /** Vonage needs its API key and secret together; a missing one is reported. */
  readConnection(environment, problems) {
    const values = parseVariables(variablesSchema, environment, problems);
    const { VONAGE_API_KEY: apiKey, VONAGE_API_SECRET: apiSecret } = values;
    const reportedMalformed = CREDENTIAL_VARIABLES.some((variable) => problems.has(variable));
    if (!apiKey && !apiSecret && !reportedMalformed) return undefined;
    if (!apiKey && !problems.has("VONAGE_API_KEY")) problems.add(["VONAGE_API_KEY"], "VONAGE_API_KEY is required when VONAGE_API_SECRET is set");
    if (!apiSecret) problems.add(["VONAGE_API_SECRET"], "VONAGE_API_SECRET is required when VONAGE_API_KEY is set");
    if (!apiKey || !apiSecret) return undefined;
    return connection({ apiKey, apiSecret: new Secret(apiSecret), apiUrl: values.VONAGE_API_URL });
  },

  async startEmulator(options) {
    // Loaded only when an emulator starts (sandbox mode, `npm run emulators`): live mode never reads its code.
    const { VonageEmulator } = await import("./vonage-emulator.js");
    const credentials = options.fixedCredentials ? FIXED_CREDENTIALS : randomCredentials();
    const emulator = new VonageEmulator(credentials);
    if (options.stateFile !== undefined) emulator.persistStateIn(options.stateFile);
    await emulator.start(options.port, options.host);
    return {
      emulator,
      connection: connection({ apiKey: credentials.apiKey, apiSecret: new Secret(credentials.apiSecret), apiUrl: new URL(emulator.baseUrl) }),
      environment: {
        VONAGE_API_URL: emulator.baseUrl,
        VONAGE_API_KEY: credentials.apiKey,
        VONAGE_API_SECRET: credentials.apiSecret,
      },
    };
  },
};
