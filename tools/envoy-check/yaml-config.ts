import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { ConfigPath, Problem } from "./problems.js";

export interface YamlConfig {
  /** The config as plain data (aliases expanded); undefined when the text is not valid YAML. */
  readonly config: unknown;
  readonly syntaxProblems: readonly Problem[];
  /** The line a path points at, or its nearest ancestor's when the path names something absent. */
  readonly lineOf: (path: ConfigPath) => number | undefined;
}

/** Parses YAML as Envoy would accept it: one document, no repeated keys (yaml-cpp refuses them too). */
export function parseYamlConfig(text: string): YamlConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (path: ConfigPath) => lineOfPath(document, lineCounter, path);
  if (document.errors.length > 0) {
    const syntaxProblems = document.errors.map((error) => {
      const line = error.linePos?.[0].line;
      return { path: [], message: `YAML ${line === undefined ? "" : `line ${line}: `}${error.message.split("\n")[0] ?? error.message}` };
    });
    return { config: undefined, syntaxProblems, lineOf };
  }
  return { config: document.toJS({ maxAliasCount: 10_000 }), syntaxProblems: [], lineOf };
}

function lineOfPath(document: Document, lineCounter: LineCounter, path: ConfigPath): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      // The key's line: where a reader looks for a misspelled or misplaced field.
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== "object" || node === null || !("range" in node)) return undefined;
  const range: unknown = node.range;
  return Array.isArray(range) && typeof range[0] === "number" ? range[0] : undefined;
}
