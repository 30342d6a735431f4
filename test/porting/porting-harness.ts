import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CreatePortingOrderRequest, PortingOrder, PortingOrderState } from "../../generated/numbergate/v1/porting.js";
import { PortingDocumentType } from "../../generated/numbergate/v1/porting.js";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";
import { startHarness, type Harness, type HarnessOptions } from "../support/harness.js";

const DAY_MS = 86_400_000;

/**
 * Emulators whose port-ins walk on a clock the test moves (EmulatorOptions.portingClock), and numbergate in front
 * of them. numbergate keeps real time; ports are checked with `sweep`, which does not wait for their schedule.
 */
export interface PortingHarness {
  readonly harness: Harness;
  readonly sandbox: SandboxCarriers;
  readonly dataDir: string;
  /** Moves the emulators' porting clock. */
  advance(ms: number): void;
  /** Checks every open port at its carrier now, however far its next check is. */
  sweep(): Promise<void>;
  /** Sweeps (moving the clock a day each time) until the order is in `state`; the order then. */
  sweepUntil(portingOrderId: string, state: PortingOrderState, maxSweeps?: number): Promise<PortingOrder>;
  /** A new numbergate on the same data directory and emulators (the old one must be closed first). */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export async function startPortingHarness(environment: Record<string, string> = {}, options: HarnessOptions = {}): Promise<PortingHarness> {
  let clock = Date.now();
  const sandbox = await startSandboxCarriers({ portingClock: () => clock });
  const dataDir = await mkdtemp(join(tmpdir(), "numbergate-porting-"));
  const settings = { NUMBERGATE_DATA_DIR: dataDir, NUMBERGATE_PORTING_POLL_INTERVAL: "60000", ...environment };
  let harness: Harness;
  try {
    harness = await startHarness(settings, { ...options, sandbox });
  } catch (error) {
    await sandbox.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const sweep = () => harness.app.porting.poller.sweep(Number.MAX_SAFE_INTEGER);
  return {
    get harness() {
      return harness;
    },
    sandbox,
    dataDir,
    advance: (ms) => {
      clock += ms;
    },
    sweep,
    async sweepUntil(portingOrderId, state, maxSweeps = 40) {
      for (let sweeps = 0; ; sweeps++) {
        const { portingOrder } = await harness.client.getPortingOrder({ portingOrderId });
        if (portingOrder?.state === state) return portingOrder;
        if (sweeps >= maxSweeps) throw new Error(`porting order ${portingOrderId} is ${String(portingOrder?.state)} after ${maxSweeps} sweeps, not ${state}: ${portingOrder?.detail ?? ""}`);
        clock += DAY_MS;
        await sweep();
      }
    },
    async restart() {
      harness = await startHarness(settings, { ...options, sandbox });
      return harness;
    },
    async close() {
      await harness.close();
      await sandbox.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const SERVICE_ADDRESS = { addressLines: ["900 Main Campus Dr"], locality: "Raleigh", administrativeArea: "NC", postalCode: "27606", regionCode: "US" };

/** A minimal PDF: what a letter of authorization upload carries. */
export const LOA_PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

/** Carrier document ids as Telnyx (UUIDs) and Twilio (RD + 32 hex) issue them. */
export const TELNYX_DOCUMENTS = [
  { documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_LETTER_OF_AUTHORIZATION, carrierDocumentId: "3c6c5a1e-5b1f-4d0e-9f7a-1d2c3b4a5e6f" },
  { documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_BILL_COPY, carrierDocumentId: "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f" },
];
export const TWILIO_DOCUMENTS = [{ documentType: PortingDocumentType.PORTING_DOCUMENT_TYPE_BILL_COPY, carrierDocumentId: `RD${"ab".repeat(16)}` }];

export function portRequest(overrides: Partial<CreatePortingOrderRequest>): CreatePortingOrderRequest {
  return {
    requestId: "port-request",
    phoneNumber: "+19195550102",
    additionalPhoneNumbers: [],
    providerId: "",
    currentProvider: "Test Losing Carrier L3",
    accountNumber: "",
    pin: "",
    authorizedName: "Grace Hopper",
    serviceAddress: SERVICE_ADDRESS,
    authorizedEmail: "grace@example.test",
    requestedPortTime: undefined,
    carrierDocuments: [],
    ...overrides,
  };
}

/** Every message of a WatchPortingOrder stream until it ends. */
export async function collectWatch(harness: Harness, portingOrderId: string): Promise<PortingOrder[]> {
  const seen: PortingOrder[] = [];
  for await (const message of harness.client.watchPortingOrder({ portingOrderId })) if (message.portingOrder) seen.push(message.portingOrder);
  return seen;
}
