import { anyTypeName, field, listField, type Located, mapField, stringField } from "./config-access.js";
import type { NumbergateApi } from "./numbergate-services.js";
import type { ProblemList } from "./problems.js";
import { checkRouteCoverage } from "./route-coverage.js";

const HTTP_CONNECTION_MANAGER = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const ROUTER = "envoy.extensions.filters.http.router.v3.Router";
const JSON_TRANSCODER = "envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder";

export interface EdgeSummary {
  readonly listeners: number;
  readonly clusters: readonly string[];
  readonly routes: number;
  readonly rpcsRouted: number;
}

/**
 * What the schema cannot say about numbergate's edge: every RPC is routed (streams without a timeout), every
 * route's cluster exists, the JSON transcoder knows every numbergate service, and the router filter is last.
 */
export function checkEdgeSemantics(config: unknown, api: NumbergateApi, problems: ProblemList): EdgeSummary {
  const root: Located<unknown> = { value: config, path: [] };
  const staticResources = mapField(root, "static_resources");
  const clusters = staticResources === undefined ? [] : listField(staticResources, "clusters");
  const clusterNames = checkClusterNames(clusters, problems);
  const listeners = staticResources === undefined ? [] : listField(staticResources, "listeners");

  const managers = listeners.flatMap(httpConnectionManagers);
  if (managers.length === 0) {
    problems.add(staticResources?.path ?? [], "no listener has an HTTP connection manager (envoy.filters.network.http_connection_manager), so nothing reaches numbergate");
  }
  let routes = 0;
  let rpcsRouted = 0;
  for (const manager of managers) {
    checkHttpFilters(manager, api, problems);
    const routeConfig = mapField(manager, "route_config");
    if (routeConfig === undefined) {
      problems.add(manager.path, "needs an inline route_config (not rds): the routes must be here to be checked");
      continue;
    }
    for (const virtualHost of listField(routeConfig, "virtual_hosts")) {
      const coverage = checkRouteCoverage(virtualHost, api.methods, clusterNames, problems);
      routes += coverage.routes;
      rpcsRouted += coverage.rpcsRouted;
    }
  }
  return { listeners: listeners.length, clusters: [...clusterNames], routes, rpcsRouted };
}

function checkClusterNames(clusters: readonly Located<unknown>[], problems: ProblemList): ReadonlySet<string> {
  const names = new Set<string>();
  for (const cluster of clusters) {
    const name = stringField(cluster, "name");
    if (name === undefined) continue;
    if (names.has(name)) problems.add([...cluster.path, "name"], `cluster name ${JSON.stringify(name)} is used twice; Envoy refuses the config`);
    names.add(name);
  }
  return names;
}

/** The typed_config of each HTTP connection manager among a listener's network filters. */
function httpConnectionManagers(listener: Located<unknown>): Located<unknown>[] {
  const chains = listField(listener, "filter_chains");
  const defaultChain = field(listener, "default_filter_chain");
  if (defaultChain !== undefined) chains.push(defaultChain);
  const managers: Located<unknown>[] = [];
  for (const chain of chains) {
    for (const filter of listField(chain, "filters")) {
      const typedConfig = field(filter, "typed_config");
      if (anyTypeName(typedConfig) === HTTP_CONNECTION_MANAGER && typedConfig !== undefined) managers.push(typedConfig);
    }
  }
  return managers;
}

function checkHttpFilters(manager: Located<unknown>, api: NumbergateApi, problems: ProblemList): void {
  const filters = listField(manager, "http_filters");
  const filtersPath = field(manager, "http_filters")?.path ?? [...manager.path, "http_filters"];
  const last = filters.at(-1);
  if (last === undefined || anyTypeName(field(last, "typed_config")) !== ROUTER) {
    problems.add(filtersPath, "the last HTTP filter must be the router (envoy.filters.http.router): filters after it never run, and without it nothing is forwarded");
  }
  filters.slice(0, -1).forEach((filter) => {
    if (anyTypeName(field(filter, "typed_config")) === ROUTER) problems.add(filter.path, "the router must be the last HTTP filter");
  });

  const transcoders = filters.map((filter) => field(filter, "typed_config")).filter((config) => anyTypeName(config) === JSON_TRANSCODER);
  if (transcoders.length === 0) {
    problems.add(filtersPath, `no envoy.filters.http.grpc_json_transcoder filter: JSON clients could not call ${api.ownServices.join(", ")}`);
  }
  for (const transcoder of transcoders) {
    if (transcoder === undefined) continue;
    const services = listField(transcoder, "services");
    const named = new Set(services.map((service) => service.value));
    const servicesPath = field(transcoder, "services")?.path ?? [...transcoder.path, "services"];
    for (const service of api.ownServices) {
      if (!named.has(service)) problems.add(servicesPath, `the JSON transcoder's services must name ${service}; JSON calls to it would reach numbergate untranscoded`);
    }
  }
}
