import { randomBytes } from "node:crypto";
import { z } from "zod";
import { Secret } from "../../config/secret.js";
import { baseUrlVariable, optionalText } from "../../config/variables.js";
import { parseVariables, type CarrierConnection, type CarrierDefinition } from "../kit/carrier-definition.js";
import { BANDWIDTH_DESCRIPTOR, BandwidthAdapter } from "./bandwidth-adapter.js";
import type { BandwidthEmulator, BandwidthEmulatorOptions } from "./bandwidth-emulator.js";

const ID = { regex: /^[0-9A-Za-z-]{1,64}$/ };
const variablesSchema = z.object({
  BANDWIDTH_USERNAME: optionalText(),
  BANDWIDTH_PASSWORD: optionalText(),
  BANDWIDTH_ACCOUNT_ID: optionalText({ ...ID, description: "the numeric account id from the Bandwidth dashboard" }),
  BANDWIDTH_SITE_ID: optionalText({ ...ID, description: "the site (sub-account) id" }),
  BANDWIDTH_PEER_ID: optionalText({ ...ID, description: "the SIP peer (location) id" }),
  BANDWIDTH_API_URL: baseUrlVariable("https://dashboard.bandwidth.com/api"),
  BANDWIDTH_CALLBACK_USERNAME: optionalText(),
  BANDWIDTH_CALLBACK_PASSWORD: optionalText(),
});

const CREDENTIAL_VARIABLES = ["BANDWIDTH_USERNAME", "BANDWIDTH_PASSWORD", "BANDWIDTH_ACCOUNT_ID"] as const;

type BandwidthConnectionSettings = {
  readonly username: string;
  readonly password: Secret;
  readonly accountId: string;
  /** Orders must name the account's site (and its SIP peer, when given), at the emulator as at Bandwidth. */
  readonly siteId: string | undefined;
  readonly peerId: string | undefined;
  readonly apiUrl: URL;
  /** What the account's port-in notification subscription calls back with; port-in notifications are refused without it. */
  readonly callbackUsername: string | undefined;
  readonly callbackPassword: Secret | undefined;
};

function connection(settings: BandwidthConnectionSettings): CarrierConnection {
  return {
    settings,
    createAdapter: ({ dispatcher }) =>
      new BandwidthAdapter({
        username: settings.username,
        password: settings.password.reveal(),
        accountId: settings.accountId,
        siteId: settings.siteId,
        peerId: settings.peerId,
        apiBaseUrl: settings.apiUrl,
        dispatcher,
        callbackCredentials:
          settings.callbackUsername !== undefined && settings.callbackPassword !== undefined
            ? { username: settings.callbackUsername, password: settings.callbackPassword }
            : undefined,
      }),
  };
}

const FIXED_CREDENTIALS: BandwidthEmulatorOptions = {
  username: "sandbox",
  password: "sandbox-bandwidth-password",
  accountId: "9900000",
  siteId: "1001",
  peerId: "500001",
  callbackUsername: "sandbox-callback",
  callbackPassword: "sandbox-bandwidth-callback-password",
};

function randomCredentials(): BandwidthEmulatorOptions {
  return {
    username: "numbergate-sandbox",
    password: randomBytes(16).toString("hex"),
    accountId: String(9_000_000 + randomBytes(2).readUInt16BE()),
    siteId: String(1_000 + randomBytes(2).readUInt16BE()),
    peerId: String(500_000 + randomBytes(2).readUInt16BE()),
  };
}

export const bandwidthCarrier: CarrierDefinition<"bandwidth", BandwidthEmulator> = {
  id: "bandwidth",
  displayName: "Bandwidth",
  descriptor: BANDWIDTH_DESCRIPTOR,
  envPrefix: "BANDWIDTH",
  defaults: { priority: 2, maxConcurrency: 10, ratePerSecond: 0 },
  variables: {
    BANDWIDTH_USERNAME: { description: "Bandwidth API user (Basic auth)" },
    BANDWIDTH_PASSWORD: { description: "the API user's password", secret: true },
    BANDWIDTH_ACCOUNT_ID: { description: "Bandwidth account id (in every path)" },
    BANDWIDTH_SITE_ID: { description: "site (sub-account) for orders" },
    BANDWIDTH_PEER_ID: { description: "SIP peer for orders" },
    BANDWIDTH_API_URL: { description: "base URL of Bandwidth's Numbers API" },
    BANDWIDTH_CALLBACK_USERNAME: { description: "the HTTP Basic user Bandwidth's port-in notifications carry (the account's portins subscription callback)" },
    BANDWIDTH_CALLBACK_PASSWORD: { description: "that callback user's password; notifications without both are refused", secret: true },
  },
  credentialVariables: CREDENTIAL_VARIABLES,
  credentialHint: "BANDWIDTH_USERNAME, BANDWIDTH_PASSWORD and BANDWIDTH_ACCOUNT_ID",
  priceSource: "table",
  apiSpec: {
    // The spec's server says /api/v1, but the real paths (and the docs' examples, and the emulator) are /api/accounts/...
    documents: "bandwidth/numbers_v1.trimmed.fixed.json",
    basePath: "/api",
    official: true,
  },

  checkVariables(environment, problems) {
    parseVariables(variablesSchema, environment, problems);
  },

  /** Bandwidth needs its API user, password and account id together; every missing one is reported. */
  readConnection(environment, problems) {
    const values = parseVariables(variablesSchema, environment, problems);
    const { BANDWIDTH_USERNAME: username, BANDWIDTH_PASSWORD: password, BANDWIDTH_ACCOUNT_ID: accountId } = values;
    const reportedMalformed = CREDENTIAL_VARIABLES.some((variable) => problems.has(variable));
    if (!username && !password && !accountId && !reportedMalformed) return undefined;
    const given: Readonly<Record<string, string | undefined>> = { BANDWIDTH_USERNAME: username, BANDWIDTH_PASSWORD: password, BANDWIDTH_ACCOUNT_ID: accountId };
    for (const variable of CREDENTIAL_VARIABLES) {
      if (given[variable] === undefined) problems.add([variable], `${variable} is required when other BANDWIDTH_ credentials are set`);
    }
    const { BANDWIDTH_CALLBACK_USERNAME: callbackUsername, BANDWIDTH_CALLBACK_PASSWORD: callbackPassword } = values;
    // One without the other could verify nothing: the pair is required together, like the API credentials.
    if ((callbackUsername === undefined) !== (callbackPassword === undefined)) {
      const [present, missing] = callbackUsername === undefined ? ["BANDWIDTH_CALLBACK_PASSWORD", "BANDWIDTH_CALLBACK_USERNAME"] : ["BANDWIDTH_CALLBACK_USERNAME", "BANDWIDTH_CALLBACK_PASSWORD"];
      problems.add([missing], `${missing} is required when ${present} is set`);
    }
    if (!username || !password || !accountId) return undefined;
    return connection({
      username,
      password: new Secret(password),
      accountId,
      siteId: values.BANDWIDTH_SITE_ID,
      peerId: values.BANDWIDTH_PEER_ID,
      apiUrl: values.BANDWIDTH_API_URL,
      ...(callbackUsername !== undefined && callbackPassword !== undefined
        ? { callbackUsername, callbackPassword: new Secret(callbackPassword) }
        : { callbackUsername: undefined, callbackPassword: undefined }),
    });
  },

  async startEmulator(options) {
    // Loaded only when an emulator starts (sandbox mode, `npm run emulators`): live mode never reads its code.
    const { BandwidthEmulator } = await import("./bandwidth-emulator.js");
    const credentials = options.fixedCredentials ? FIXED_CREDENTIALS : randomCredentials();
    // Requested FOC dates are judged on real time, as Bandwidth does, even when port-ins walk on a faster clock.
    const emulator = new BandwidthEmulator({
      ...credentials,
      now: options.portingClock,
      requestNow: options.portingClock ? () => Date.now() : undefined,
    });
    if (options.stateFile !== undefined) emulator.persistStateIn(options.stateFile);
    await emulator.start(options.port, options.host);
    // The emulator's notifications (deliverPortingNotificationsTo) carry the callback credentials it was given or made.
    const { callbackUsername, callbackPassword } = emulator.callbackCredentials;
    return {
      emulator,
      connection: connection({
        ...credentials,
        password: new Secret(credentials.password),
        apiUrl: new URL(emulator.baseUrl),
        callbackUsername,
        callbackPassword: new Secret(callbackPassword),
      }),
      environment: {
        BANDWIDTH_API_URL: emulator.baseUrl,
        BANDWIDTH_USERNAME: credentials.username,
        BANDWIDTH_PASSWORD: credentials.password,
        BANDWIDTH_ACCOUNT_ID: credentials.accountId,
        BANDWIDTH_SITE_ID: credentials.siteId,
        BANDWIDTH_PEER_ID: credentials.peerId,
        BANDWIDTH_CALLBACK_USERNAME: callbackUsername,
        BANDWIDTH_CALLBACK_PASSWORD: callbackPassword,
      },
    };
  },
};
