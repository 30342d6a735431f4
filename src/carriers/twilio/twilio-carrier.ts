import { randomBytes } from "node:crypto";
import { z } from "zod";
import { Secret } from "../../config/secret.js";
import { baseUrlVariable, optionalText } from "../../config/variables.js";
import { parseVariables, type CarrierConnection, type CarrierDefinition, type ProblemSink, type RawEnvironment } from "../kit/carrier-definition.js";
import { TWILIO_DESCRIPTOR, TwilioAdapter } from "./twilio-adapter.js";
import type { TwilioEmulator, TwilioEmulatorOptions } from "./twilio-emulator.js";

const variablesSchema = z.object({
  TWILIO_ACCOUNT_SID: optionalText({ regex: /^AC[0-9a-fA-F]{32}$/, description: "AC followed by 32 hex digits" }),
  TWILIO_AUTH_TOKEN: optionalText(),
  // Its SK... form is checked only when it is used, with TWILIO_API_SECRET (see readCredentials).
  TWILIO_API_KEY: optionalText(),
  TWILIO_API_SECRET: optionalText(),
  TWILIO_API_URL: baseUrlVariable("https://api.twilio.com"),
  TWILIO_NUMBERS_URL: baseUrlVariable("https://numbers.twilio.com"),
});
type TwilioVariables = z.infer<typeof variablesSchema>;

const CREDENTIAL_VARIABLES = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"];
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;

type TwilioConnectionSettings = {
  readonly accountSid: string;
  /** The Account SID, or the API key SID when an API key is used. */
  readonly username: string;
  readonly password: Secret;
  /** TWILIO_AUTH_TOKEN whenever it is set (Twilio signs webhooks with it, also when calls use an API key). */
  readonly webhookAuthToken: Secret | undefined;
  readonly apiUrl: URL;
  readonly numbersUrl: URL;
};

function connection(settings: TwilioConnectionSettings): CarrierConnection {
  return {
    settings,
    createAdapter: ({ dispatcher }) =>
      new TwilioAdapter({
        accountSid: settings.accountSid,
        username: settings.username,
        password: settings.password.reveal(),
        webhookAuthToken: settings.webhookAuthToken?.reveal(),
        apiBaseUrl: settings.apiUrl,
        numbersBaseUrl: settings.numbersUrl,
        dispatcher,
      }),
  };
}

/**
 * Twilio authenticates with the auth token or with an API key and its secret. A half pair next to an auth token
 * is what the seed's environment carries (TWILIO_API_KEY without TWILIO_API_SECRET): it cannot be used, so it is
 * ignored with a warning and the token is used. A half pair with no token to fall back on is a problem.
 */
function readCredentials(values: TwilioVariables, problems: ProblemSink, warnings: string[]): Pick<TwilioConnectionSettings, "accountSid" | "username" | "password" | "webhookAuthToken"> | undefined {
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_API_KEY: key, TWILIO_API_SECRET: secret } = values;
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
    return { accountSid: sid, username: keyPair.key, password: new Secret(keyPair.secret), webhookAuthToken: token ? new Secret(token) : undefined };
  }
  if (token) return { accountSid: sid, username: sid, password: new Secret(token), webhookAuthToken: new Secret(token) };
  if (key === undefined && secret === undefined) {
    problems.add(["TWILIO_AUTH_TOKEN"], "TWILIO_AUTH_TOKEN (or TWILIO_API_KEY with TWILIO_API_SECRET) is required with TWILIO_ACCOUNT_SID");
  }
  return undefined;
}

/** Fixed credentials for `npm run emulators`: fake carriers on loopback, printed on purpose. */
const FIXED_CREDENTIALS: TwilioEmulatorOptions = {
  accountSid: `AC${"0".repeat(31)}1`,
  authToken: "sandbox-twilio-token",
  apiKeySid: `SK${"0".repeat(31)}1`,
  apiKeySecret: "sandbox-twilio-key-secret",
};

function randomCredentials(): TwilioEmulatorOptions {
  return {
    accountSid: `AC${randomBytes(16).toString("hex")}`,
    authToken: randomBytes(16).toString("hex"),
    apiKeySid: `SK${randomBytes(16).toString("hex")}`,
    apiKeySecret: randomBytes(16).toString("hex"),
  };
}

export const twilioCarrier: CarrierDefinition<"twilio", TwilioEmulator> = {
  id: "twilio",
  displayName: "Twilio",
  descriptor: TWILIO_DESCRIPTOR,
  envPrefix: "TWILIO",
  defaults: { priority: 1, maxConcurrency: 20, ratePerSecond: 0 },
  variables: {
    TWILIO_ACCOUNT_SID: { description: "AC + 32 hex; part of every Twilio path" },
    TWILIO_AUTH_TOKEN: {
      description: "Twilio auth token (Basic auth with the Account SID). It also verifies Twilio's signed porting notifications, so keep it set next to an API key to receive them",
      secret: true,
    },
    TWILIO_API_KEY: { description: "alternatively, an API key (SK...), with TWILIO_API_SECRET" },
    TWILIO_API_SECRET: { description: "the API key's secret", secret: true },
    TWILIO_API_URL: { description: "base URL of Twilio's 2010 API" },
    TWILIO_NUMBERS_URL: { description: "base URL of Twilio's Numbers v1 API (porting)" },
  },
  credentialVariables: CREDENTIAL_VARIABLES,
  credentialHint: "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)",
  priceSource: "table",
  apiSpec: {
    // Two documents: api.twilio.com (/2010-04-01/...) and numbers.twilio.com (/v1/...); both servers have an empty path.
    documents: { "/v1/": "twilio/numbers_v1.trimmed.json", "/": "twilio/api_v2010.trimmed.json" },
    basePath: "",
    official: true,
  },

  checkVariables(environment: RawEnvironment, problems: ProblemSink): void {
    parseVariables(variablesSchema, environment, problems);
  },

  readConnection(environment, problems, warnings) {
    const values = parseVariables(variablesSchema, environment, problems);
    const credentials = readCredentials(values, problems, warnings);
    return credentials && connection({ ...credentials, apiUrl: values.TWILIO_API_URL, numbersUrl: values.TWILIO_NUMBERS_URL });
  },

  async startEmulator(options) {
    // Loaded only when an emulator starts (sandbox mode, `npm run emulators`): live mode never reads its code.
    const { TwilioEmulator } = await import("./twilio-emulator.js");
    const credentials = options.fixedCredentials ? FIXED_CREDENTIALS : randomCredentials();
    // Target port dates are judged on real time, as Twilio does, even when port-ins walk on a faster clock.
    const emulator = new TwilioEmulator({ ...credentials, now: options.portingClock, requestNow: options.portingClock ? () => Date.now() : undefined });
    if (options.stateFile !== undefined) emulator.persistStateIn(options.stateFile);
    await emulator.start(options.port, options.host);
    const url = new URL(emulator.origin);
    return {
      emulator,
      connection: connection({
        accountSid: credentials.accountSid,
        username: credentials.accountSid,
        password: new Secret(credentials.authToken),
        // The emulator signs its porting webhooks with its auth token, as Twilio does.
        webhookAuthToken: new Secret(credentials.authToken),
        apiUrl: url,
        numbersUrl: url,
      }),
      environment: {
        TWILIO_API_URL: emulator.origin,
        TWILIO_NUMBERS_URL: emulator.origin,
        TWILIO_ACCOUNT_SID: credentials.accountSid,
        TWILIO_AUTH_TOKEN: credentials.authToken,
      },
      alternatives: { TWILIO_API_KEY: credentials.apiKeySid, TWILIO_API_SECRET: credentials.apiKeySecret },
    };
  },
};
