import type { Dispatcher } from "undici";
import { z } from "zod";
import type { CarrierAdapter, CarrierDescriptor } from "../../domain/carrier-adapter.js";
import type { CarrierEmulator } from "../emulator-kit/carrier-emulator.js";

/**
 * What numbergate knows about a carrier, in one place: its id and name, its environment variables, how to
 * read its credentials, how to build its adapter, how to start its emulator, and where its prices come from.
 * A carrier is its folder under src/carriers/<id>/ plus one line in src/carriers/registry.ts; configuration,
 * sandbox start-up, `npm run emulators`, the resilience pipelines, ListProviders and the tests iterate the
 * registry.
 */
export interface CarrierDefinition<Id extends string = string, Emulator extends CarrierEmulator = CarrierEmulator> {
  readonly id: Id;
  readonly displayName: string;
  readonly descriptor: CarrierDescriptor;
  /** TWILIO: the prefix of the variables every carrier has (<PREFIX>_ENABLED, _PRIORITY, _WEIGHT, ...). */
  readonly envPrefix: string;
  readonly defaults: CarrierDefaults;
  /** The carrier's own variables (credentials, base URLs, account settings), for checks and the README table. */
  readonly variables: Readonly<Record<string, VariableDoc>>;
  /** Variables whose presence means the deployment has real credentials (live mode unless told otherwise). */
  readonly credentialVariables: readonly string[];
  /** What live mode needs, in words an operator acts on. */
  readonly credentialHint: string;
  /** Where offer prices come from: the carrier's own answers, or the operator's price table. */
  readonly priceSource: "carrier" | "table";
  /** The API description the adapter and emulator are built from; tests check every emulated request against it. */
  readonly apiSpec: CarrierApiSpec;
  /** Checks the format of every variable of this carrier that is set; each bad one is a problem naming it. */
  checkVariables(environment: RawEnvironment, problems: ProblemSink): void;
  /** Live mode: the connection its variables describe; undefined when none of its credentials is set. */
  readConnection(environment: RawEnvironment, problems: ProblemSink, warnings: string[]): CarrierConnection | undefined;
  /** Sandbox mode and `npm run emulators`: its emulator on loopback, and the connection that reaches it. */
  startEmulator(options: EmulatorOptions): Promise<StartedEmulator<Emulator>>;
}

export interface CarrierApiSpec {
  /**
   * The OpenAPI file below ../shared/provider-specs/, or, where a carrier has several, one per prefix of the path
   * below the base path (the longest prefix that matches wins; "/" catches the rest).
   */
  readonly documents: string | Readonly<Record<`/${string}`, string>>;
  /**
   * What the carrier serves in front of the spec's paths, i.e. the path of its base URL as the emulator reproduces
   * it. A `{name}` segment matches any one segment (Plivo's account id).
   */
  readonly basePath: string;
  /** False where the description is derived from the carrier's documentation rather than published by the carrier. */
  readonly official: boolean;
}

export interface CarrierDefaults {
  /** Lower is tried first. */
  readonly priority: number;
  readonly maxConcurrency: number;
  /** Requests per second; 0: no limit. */
  readonly ratePerSecond: number;
}

export interface VariableDoc {
  readonly description: string;
  /** Never printed, never echoed in an error. */
  readonly secret?: boolean;
}

export type RawEnvironment = Readonly<Record<string, string | undefined>>;

/** Where configuration problems go: one line per bad variable, a variable reported once. */
export interface ProblemSink {
  add(variables: readonly string[], line: string): void;
  has(variable: string): boolean;
}

/** What calling a carrier takes (credentials, base URLs); built from variables (live) or by its emulator (sandbox). */
export interface CarrierConnection {
  createAdapter(options: { readonly dispatcher?: Dispatcher }): CarrierAdapter;
  /** What the connection was built from (secrets wrapped in Secret), for checks and tests; never logged. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface EmulatorOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Keep the emulator's carrier-side state in this JSON file across restarts. */
  readonly stateFile: string | undefined;
  /** Fixed, printable credentials (`npm run emulators`) instead of fresh random ones. */
  readonly fixedCredentials: boolean;
  /**
   * The clock carrier-side port-ins walk on (FOC dates, status steps), where the carrier's walk follows time:
   * sandbox mode runs it faster than real time, tests drive it by hand. Defaults to Date.now.
   */
  readonly portingClock?: () => number;
}

export interface StartedEmulator<Emulator extends CarrierEmulator = CarrierEmulator> {
  readonly emulator: Emulator;
  readonly connection: CarrierConnection;
  /** The variables that point a live-mode numbergate at this emulator (printed by `npm run emulators`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Other ways to reach it worth printing (an alternative credential), as variable assignments. */
  readonly alternatives?: Readonly<Record<string, string>>;
}

/**
 * Parses variables (a carrier's, or numbergate's own) with a zod object schema: every bad variable is reported
 * (never its value), and the rest parse as if the bad ones were unset, so every other check still runs.
 */
export function parseVariables<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, environment: RawEnvironment, problems: ProblemSink): z.infer<z.ZodObject<Shape>> {
  const relevant = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, environment[name]]));
  const parsed = schema.safeParse(relevant);
  if (parsed.success) return parsed.data;
  const invalid = new Set<string>();
  for (const issue of parsed.error.issues) {
    const variable = String(issue.path[0] ?? "environment");
    invalid.add(variable);
    problems.add([variable], `${variable} ${issue.message}`);
  }
  const rest = Object.fromEntries(Object.entries(relevant).filter(([name]) => !invalid.has(name)));
  return schema.parse(rest);
}
