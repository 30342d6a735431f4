import { fileURLToPath } from "node:url";
import { type EdgeSummary, checkEdgeSemantics } from "./edge-semantics.js";
import { BOOTSTRAP_TYPE, loadEnvoySchema } from "./envoy-schema.js";
import { MessageWalker } from "./message-walker.js";
import { loadNumbergateApi, type NumbergateApi } from "./numbergate-services.js";
import { formatPath, ProblemList, type Problem } from "./problems.js";
import { parseYamlConfig, type YamlConfig } from "./yaml-config.js";

export interface ReportedProblem {
  /** `static_resources.clusters[0].connect_timeout`, or `(root)`. */
  readonly path: string;
  /** 1-based line in the YAML text, when the config was given as text. */
  readonly line: number | undefined;
  readonly message: string;
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly problems: readonly ReportedProblem[];
  /** Accepted by Envoy, but worth a look (deprecated fields, traps). */
  readonly warnings: readonly ReportedProblem[];
  readonly summary: EdgeSummary;
  /** How many of Envoy's v3 .proto files the schema was built from. */
  readonly schemaFiles: number;
}

export interface ValidationOptions {
  /** Where proto/ and third_party/proto are; this repository by default. */
  readonly repositoryRoot?: string;
}

const DEFAULT_REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const apis = new Map<string, NumbergateApi>();

/**
 * Checks an Envoy bootstrap config for numbergate's edge: strictly against Envoy's v3 API (the YAML text, or an
 * object already parsed from it), then the edge's own rules (every numbergate RPC routed, and so on).
 */
export function validateEnvoyConfig(input: string | unknown, options: ValidationOptions = {}): ValidationResult {
  const parsed: YamlConfig = typeof input === "string" ? parseYamlConfig(input) : { config: input, syntaxProblems: [], lineOf: () => undefined };
  const problems = new ProblemList();
  const schema = loadEnvoySchema();
  const report = (problem: Problem): ReportedProblem => ({ path: formatPath(problem.path), line: parsed.lineOf(problem.path), message: problem.message });
  if (parsed.syntaxProblems.length > 0) {
    const empty: EdgeSummary = { listeners: 0, clusters: [], routes: 0, rpcsRouted: 0 };
    return { valid: false, problems: parsed.syntaxProblems.map(report), warnings: [], summary: empty, schemaFiles: schema.fileCount };
  }

  const walker = new MessageWalker(schema.root, problems);
  walker.checkMessage(parsed.config, schema.root.lookupType(BOOTSTRAP_TYPE), []);

  const repositoryRoot = options.repositoryRoot ?? DEFAULT_REPOSITORY_ROOT;
  let api = apis.get(repositoryRoot);
  if (api === undefined) {
    api = loadNumbergateApi(repositoryRoot);
    apis.set(repositoryRoot, api);
  }
  const summary = checkEdgeSemantics(parsed.config, api, problems);
  return {
    valid: problems.problems.length === 0,
    problems: problems.problems.map(report),
    warnings: problems.warnings.map(report),
    summary,
    schemaFiles: schema.fileCount,
  };
}

/** One line per problem: `envoy.yaml:42 static_resources.clusters[0].conect_timeout: unknown field ...`. */
export function formatReportedProblem(problem: ReportedProblem, fileName: string): string {
  const where = problem.line === undefined ? fileName : `${fileName}:${problem.line}`;
  return `${where} ${problem.path}: ${problem.message}`;
}
