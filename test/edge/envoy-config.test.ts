import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { type ValidationResult, validateEnvoyConfig } from "../../tools/envoy-check/validate-envoy-config.js";

/**
 * envoy.yaml is checked against Envoy's own v3 API protos (no Envoy binary here), and each kind of mistake the
 * checker exists for is planted in a copy to prove it is caught, with the path to the mistake in the message.
 */
const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const ENVOY_YAML = join(REPOSITORY, "envoy.yaml");
const text = readFileSync(ENVOY_YAML, "utf8");

const ROUTED_RPCS = Object.keys(TelecomServiceDefinition.methods).length + 4;

const HCM = ["static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config"];
const ROUTES = [...HCM, "route_config", "virtual_hosts", 0, "routes"];
const CLUSTER = ["static_resources", "clusters", 0];

type Config = Record<string, unknown>;

/** A fresh copy of the committed config, as plain data to plant a mistake in. */
function committedConfig(): Config {
  const config: unknown = parse(text, { maxAliasCount: 10_000 });
  if (!isRecord(config)) throw new Error("envoy.yaml is not a map");
  // Aliases (*read, *watch) share one object between routes, and structuredClone keeps them shared; a round
  // trip through JSON gives each route its own copy, so a planted mistake stays in one place.
  const copy: unknown = JSON.parse(JSON.stringify(config));
  if (!isRecord(copy)) throw new Error("envoy.yaml did not survive a JSON round trip");
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nodeAt(config: Config, path: readonly (string | number)[]): unknown {
  let node: unknown = config;
  for (const segment of path) {
    node = Array.isArray(node) && typeof segment === "number" ? node[segment] : isRecord(node) ? node[segment] : undefined;
    if (node === undefined) throw new Error(`envoy.yaml has nothing at ${pathText(path)}`);
  }
  return node;
}

/** The map at a path of the config; fails the test when the committed config has moved on. */
function mapAt(config: Config, path: readonly (string | number)[]): Record<string, unknown> {
  const node = nodeAt(config, path);
  if (!isRecord(node)) throw new Error(`envoy.yaml has no map at ${pathText(path)}`);
  return node;
}

function listAt(config: Config, path: readonly (string | number)[]): unknown[] {
  const node = nodeAt(config, path);
  if (!Array.isArray(node)) throw new Error(`envoy.yaml has no list at ${pathText(path)}`);
  return node;
}

/** The path of an HTTP filter's typed_config, by the filter's name. */
function httpFilterConfigPath(config: Config, name: string): (string | number)[] {
  const index = listAt(config, [...HCM, "http_filters"]).findIndex((filter) => isRecord(filter) && filter["name"] === name);
  if (index < 0) throw new Error(`no ${name} filter in envoy.yaml`);
  return [...HCM, "http_filters", index, "typed_config"];
}

function routeIndexFor(config: Config, rpcPath: string): number {
  const routes = listAt(config, ROUTES);
  const index = routes.findIndex((route) => isRecord(route) && isRecord(route["match"]) && route["match"]["path"] === rpcPath);
  if (index < 0) throw new Error(`no route for ${rpcPath} in envoy.yaml`);
  return index;
}

function problemsOf(result: ValidationResult): string[] {
  return result.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

function expectOneProblem(result: ValidationResult, path: string, message: RegExp): void {
  expect(result.valid).toBe(false);
  expect(problemsOf(result)).toEqual([expect.stringMatching(message)]);
  expect(result.problems[0]?.path).toBe(path);
}

/** The checker's way of writing a path (only plain keys here, so no quoting). */
function pathText(path: readonly (string | number)[]): string {
  return path.map((segment, index) => (typeof segment === "number" ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join("");
}

describe("envoy.yaml", () => {
  // Parsing some 370 Envoy .proto files takes a second or two, once per file.
  beforeAll(() => void validateEnvoyConfig(text), 30_000);

  it("is a valid Envoy v3 bootstrap that routes every RPC numbergate serves", () => {
    const result = validateEnvoyConfig(text);
    expect(problemsOf(result)).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.summary.clusters).toEqual(["numbergate"]);
    // Every TelecomService RPC, grpc.health.v1 Check and Watch, reflection v1 and v1alpha.
    expect(result.summary.rpcsRouted).toBe(ROUTED_RPCS);
  });

  it("stays valid with its optional TLS blocks enabled", () => {
    const enabled = text.replace(/^(\s*)#\| /gm, "$1");
    expect(enabled).toContain("DownstreamTlsContext");
    expect(enabled).toContain("UpstreamTlsContext");
    expect(problemsOf(validateEnvoyConfig(enabled))).toEqual([]);
  });

  it("binds the admin interface to loopback only", () => {
    expect(mapAt(committedConfig(), ["admin", "address", "socket_address"])["address"]).toBe("127.0.0.1");
  });
});

describe("planted mistakes", () => {
  beforeAll(() => void validateEnvoyConfig(text), 30_000);

  it("an unknown field, with the field it was probably meant to be", () => {
    const config = committedConfig();
    const cluster = mapAt(config, CLUSTER);
    cluster["conect_timeout"] = cluster["connect_timeout"];
    delete cluster["connect_timeout"];
    expectOneProblem(validateEnvoyConfig(config), "static_resources.clusters[0].conect_timeout", /unknown field "conect_timeout" .*did you mean "connect_timeout"/);
  });

  it("an unknown field in the YAML text, with its line", () => {
    const planted = text.replace("connect_timeout: 1s", "conect_timeout: 1s");
    const result = validateEnvoyConfig(planted);
    const line = planted.split("\n").findIndex((candidate) => candidate.includes("conect_timeout")) + 1;
    expect(result.problems).toEqual([expect.objectContaining({ path: "static_resources.clusters[0].conect_timeout", line })]);
  });

  it("a misspelled typed_config @type", () => {
    const config = committedConfig();
    const grpcWeb = httpFilterConfigPath(config, "envoy.filters.http.grpc_web");
    mapAt(config, grpcWeb)["@type"] = "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWebb";
    expectOneProblem(validateEnvoyConfig(config), `${pathText(grpcWeb)}["@type"]`, /unknown type .*GrpcWebb.*did you mean .*grpc_web\.v3\.GrpcWeb"/);
  });

  it("a bad enum value", () => {
    const config = committedConfig();
    mapAt(config, CLUSTER)["lb_policy"] = "LEAST_REQUESTS";
    expectOneProblem(validateEnvoyConfig(config), "static_resources.clusters[0].lb_policy", /"LEAST_REQUESTS" is not a value of enum .*LbPolicy/);
  });

  it("a bad duration", () => {
    const config = committedConfig();
    mapAt(config, CLUSTER)["connect_timeout"] = 5;
    expectOneProblem(validateEnvoyConfig(config), "static_resources.clusters[0].connect_timeout", /expected a duration .*"5s"/);
  });

  it("a removed route, naming the RPC left without one", () => {
    const config = committedConfig();
    listAt(config, ROUTES).splice(routeIndexFor(config, "/numbergate.v1.TelecomService/CancelPortingOrder"), 1);
    expectOneProblem(validateEnvoyConfig(config), pathText(ROUTES), /no route for RPC numbergate\.v1\.TelecomService\/CancelPortingOrder/);
  });

  it("a JSON transcoder that does not name a numbergate service", () => {
    const config = committedConfig();
    const transcoder = httpFilterConfigPath(config, "envoy.filters.http.grpc_json_transcoder");
    mapAt(config, transcoder)["services"] = ["grpc.health.v1.Health"];
    expectOneProblem(validateEnvoyConfig(config), pathText([...transcoder, "services"]), /must name numbergate\.v1\.TelecomService/);
  });

  it("a stream's route with a timeout, which would cut every watcher off", () => {
    const config = committedConfig();
    const index = routeIndexFor(config, "/numbergate.v1.TelecomService/WatchProviderHealth");
    mapAt(config, [...ROUTES, index, "route"])["timeout"] = "15s";
    expectOneProblem(validateEnvoyConfig(config), pathText([...ROUTES, index, "route", "timeout"]), /WatchProviderHealth streams, but its route has timeout 15s/);
  });

  it("a route to a cluster that does not exist", () => {
    const config = committedConfig();
    const index = routeIndexFor(config, "/numbergate.v1.TelecomService/ListProviders");
    mapAt(config, [...ROUTES, index, "route"])["cluster"] = "numbergat";
    expectOneProblem(validateEnvoyConfig(config), pathText([...ROUTES, index, "route", "cluster"]), /cluster "numbergat" is not in static_resources\.clusters/);
  });

  it("a missing required field, two members of one oneof, and a wrapper written as a message", () => {
    const config = committedConfig();
    delete mapAt(config, [...CLUSTER, "health_checks", 0])["interval"];
    mapAt(config, [...ROUTES, 0, "match"])["prefix"] = "/";
    mapAt(config, [...CLUSTER, "circuit_breakers", "thresholds", 0])["max_connections"] = { value: 1024 };
    const problems = problemsOf(validateEnvoyConfig(config));
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^static_resources\.clusters\[0\]\.health_checks\[0\]\.interval: missing required field "interval"/),
        expect.stringMatching(/routes\[0\]\.match: "prefix" and "path" are alternatives/),
        expect.stringMatching(/thresholds\[0\]\.max_connections: expected an integer \(uint32\), got a map/),
      ]),
    );
  });

  it("accepts the lowerCamelCase field names Envoy accepts, but not both spellings at once", () => {
    const config = committedConfig();
    const cluster = mapAt(config, CLUSTER);
    cluster["connectTimeout"] = cluster["connect_timeout"];
    delete cluster["connect_timeout"];
    expect(problemsOf(validateEnvoyConfig(config))).toEqual([]);
    cluster["connect_timeout"] = "2s";
    expect(problemsOf(validateEnvoyConfig(config))).toEqual([expect.stringMatching(/are the same field/)]);
  });
});

describe("the envoy-check command", () => {
  const run = (file: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "tools/envoy-check/main.ts", file], { cwd: REPOSITORY, encoding: "utf8" });

  it("exits 0 with a summary for envoy.yaml, and 1 listing the problem for a planted typo", () => {
    const valid = run("envoy.yaml");
    expect(valid.status).toBe(0);
    expect(valid.stdout).toMatch(new RegExp(`envoy\\.yaml: valid Envoy v3 bootstrap .*${ROUTED_RPCS} RPCs routed`));

    const directory = mkdtempSync(join(tmpdir(), "envoy-check-"));
    try {
      const planted = join(directory, "envoy.yaml");
      writeFileSync(planted, text.replace("connect_timeout: 1s", "conect_timeout: 1s"));
      const invalid = run(planted);
      expect(invalid.status).toBe(1);
      expect(invalid.stderr).toMatch(/envoy\.yaml:\d+ static_resources\.clusters\[0\]\.conect_timeout: unknown field "conect_timeout"/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
