import { durationSeconds, field, listField, type Located, mapField, stringField } from "./config-access.js";
import type { RpcMethod } from "./numbergate-services.js";
import { isRecord, type ProblemList } from "./problems.js";

/** Route match conditions beyond the path: a route with one of them does not take every call to its path. */
const CONDITIONS = ["headers", "query_parameters", "runtime_fraction", "dynamic_metadata", "filter_state", "tls_context", "cel_expression"];

interface RouteCoverage {
  readonly routes: number;
  readonly rpcsRouted: number;
}

/**
 * Envoy takes the first route of a virtual host that matches, so each RPC's route is the first whose path
 * matcher covers the RPC's path with no other condition. That route must forward to a defined cluster, and for
 * a streaming RPC carry `timeout: 0s` (Envoy's default route timeout, 15 s, would cut every stream).
 */
export function checkRouteCoverage(
  virtualHost: Located<unknown>,
  methods: readonly RpcMethod[],
  clusterNames: ReadonlySet<string>,
  problems: ProblemList,
): RouteCoverage {
  const routes = listField(virtualHost, "routes");
  const routesPath = field(virtualHost, "routes")?.path ?? [...virtualHost.path, "routes"];
  const hostName = stringField(virtualHost, "name") ?? "(unnamed)";
  for (const route of routes) checkClusterReferences(route, clusterNames, problems);
  for (const route of routes) warnAboutGrpcMatcher(route, problems);

  let rpcsRouted = 0;
  for (const method of methods) {
    const rpc = `${method.service}/${method.method}`;
    const chosen = routes.find((route) => takesEveryCallTo(route, method.path));
    if (chosen === undefined) {
      problems.add(routesPath, `no route for RPC ${rpc} (path ${method.path}) in virtual host ${JSON.stringify(hostName)}`);
      continue;
    }
    const action = mapField(chosen, "route");
    if (action === undefined) {
      problems.add(chosen.path, `RPC ${rpc} is matched first by this route, which does not forward it to numbergate`);
      continue;
    }
    rpcsRouted++;
    if (method.streaming) {
      const timeout = field(action, "timeout");
      if (durationSeconds(timeout?.value) !== 0) {
        const shown = timeout === undefined ? "no timeout (Envoy's default is 15s)" : `timeout ${String(timeout.value)}`;
        problems.add(timeout?.path ?? action.path, `RPC ${rpc} streams, but its route has ${shown}: streaming routes need timeout: 0s (and an idle_timeout)`);
      }
    }
  }
  return { routes: routes.length, rpcsRouted };
}

function takesEveryCallTo(route: Located<unknown>, rpcPath: string): boolean {
  const match = mapField(route, "match");
  if (match === undefined) return false;
  if (CONDITIONS.some((condition) => conditionIsSet(field(match, condition)?.value))) return false;
  const caseSensitive = field(match, "case_sensitive")?.value !== false;
  const fold = (text: string) => (caseSensitive ? text : text.toLowerCase());
  const candidate = fold(rpcPath);

  const exact = stringField(match, "path");
  if (exact !== undefined) return fold(exact) === candidate;
  const prefix = stringField(match, "prefix");
  if (prefix !== undefined) return candidate.startsWith(fold(prefix));
  const separatedPrefix = stringField(match, "path_separated_prefix");
  if (separatedPrefix !== undefined) {
    const folded = fold(separatedPrefix);
    return candidate === folded || candidate.startsWith(`${folded}/`);
  }
  const regex = mapField(match, "safe_regex");
  const pattern = regex === undefined ? undefined : stringField(regex, "regex");
  if (pattern !== undefined) {
    // Envoy's RE2 and JavaScript agree on the patterns a route uses; one JavaScript cannot read matches nothing.
    try {
      return new RegExp(`^(?:${pattern})$`, caseSensitive ? "" : "i").test(rpcPath);
    } catch {
      return false;
    }
  }
  return false;
}

function conditionIsSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  return !isRecord(value) || Object.keys(value).length > 0;
}

function checkClusterReferences(route: Located<unknown>, clusterNames: ReadonlySet<string>, problems: ProblemList): void {
  const action = mapField(route, "route");
  if (action === undefined) return;
  const references: Located<unknown>[] = [];
  const cluster = field(action, "cluster");
  if (cluster !== undefined) references.push(cluster);
  const weighted = mapField(action, "weighted_clusters");
  if (weighted !== undefined) {
    for (const entry of listField(weighted, "clusters")) {
      const name = field(entry, "name");
      if (name !== undefined) references.push(name);
    }
  }
  for (const reference of references) {
    if (typeof reference.value === "string" && !clusterNames.has(reference.value)) {
      const known = clusterNames.size === 0 ? "none is defined" : `defined: ${[...clusterNames].join(", ")}`;
      problems.add(reference.path, `cluster ${JSON.stringify(reference.value)} is not in static_resources.clusters (${known})`);
    }
  }
}

/**
 * Not an error, but a trap at this edge: a route is chosen while a gRPC-Web call's content-type is still
 * application/grpc-web, and a CORS preflight has none, so a `grpc: {}` matcher lets neither through.
 */
function warnAboutGrpcMatcher(route: Located<unknown>, problems: ProblemList): void {
  const match = mapField(route, "match");
  const grpc = match === undefined ? undefined : field(match, "grpc");
  if (grpc !== undefined) {
    problems.warn(grpc.path, "a grpc matcher does not match gRPC-Web calls or CORS preflights: browsers cannot reach this route");
  }
}
