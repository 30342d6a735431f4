import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { BandwidthEmulator } from "../carriers/bandwidth/bandwidth-emulator.js";
import { TwilioEmulator } from "../carriers/twilio/twilio-emulator.js";

export interface SandboxCredentials {
  /** The account's auth token and one API key (SK...): the emulator accepts either pair. */
  readonly twilio: { readonly accountSid: string; readonly authToken: string; readonly apiKeySid: string; readonly apiKeySecret: string };
  /** The account's one site and SIP peer: Bandwidth orders must name them. */
  readonly bandwidth: { readonly username: string; readonly password: string; readonly accountId: string; readonly siteId: string; readonly peerId: string };
}

export interface SandboxCarriers {
  readonly twilio: TwilioEmulator;
  readonly bandwidth: BandwidthEmulator;
  readonly credentials: SandboxCredentials;
  readonly twilioUrl: URL;
  readonly bandwidthUrl: URL;
  stop(): Promise<void>;
}

/** Fresh random credentials, so the adapters' real auth path runs even in sandbox mode. */
export function randomSandboxCredentials(): SandboxCredentials {
  return {
    twilio: {
      accountSid: `AC${randomBytes(16).toString("hex")}`,
      authToken: randomBytes(16).toString("hex"),
      apiKeySid: `SK${randomBytes(16).toString("hex")}`,
      apiKeySecret: randomBytes(16).toString("hex"),
    },
    bandwidth: {
      username: "numbergate-sandbox",
      password: randomBytes(16).toString("hex"),
      accountId: String(9_000_000 + randomBytes(2).readUInt16BE()),
      siteId: String(1_000 + randomBytes(2).readUInt16BE()),
      peerId: String(500_000 + randomBytes(2).readUInt16BE()),
    },
  };
}

export interface SandboxCarrierOptions {
  /** Ports to listen on; 0 (the default) picks free ones. */
  readonly twilio?: number;
  readonly bandwidth?: number;
  readonly host?: string;
  /**
   * Keep each emulator's carrier-side state in a JSON file here (twilio-emulator.json, bandwidth-emulator.json),
   * loaded at start and written on every change, so a restarted sandbox still owns what it bought. Without it
   * the emulators start empty.
   */
  readonly stateDir?: string;
}

/** Files in the sandbox data directory that hold the emulators' state. */
export const EMULATOR_STATE_FILES = { twilio: "twilio-emulator.json", bandwidth: "bandwidth-emulator.json" } as const;

/** Starts the Twilio and Bandwidth emulators on loopback. */
export async function startSandboxCarriers(
  credentials: SandboxCredentials = randomSandboxCredentials(),
  options: SandboxCarrierOptions = {},
): Promise<SandboxCarriers> {
  const twilio = new TwilioEmulator(credentials.twilio);
  const bandwidth = new BandwidthEmulator(credentials.bandwidth);
  if (options.stateDir !== undefined) {
    twilio.persistStateIn(join(options.stateDir, EMULATOR_STATE_FILES.twilio));
    bandwidth.persistStateIn(join(options.stateDir, EMULATOR_STATE_FILES.bandwidth));
  }
  const host = options.host ?? "127.0.0.1";
  await twilio.start(options.twilio ?? 0, host);
  try {
    await bandwidth.start(options.bandwidth ?? 0, host);
  } catch (error) {
    await twilio.stop();
    throw error;
  }
  return {
    twilio,
    bandwidth,
    credentials,
    twilioUrl: new URL(twilio.origin),
    bandwidthUrl: new URL(bandwidth.baseUrl),
    async stop() {
      await Promise.all([twilio.stop(), bandwidth.stop()]);
    },
  };
}
