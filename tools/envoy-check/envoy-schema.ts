import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import protobuf from "protobufjs";

/** The message a whole Envoy config file is. */
export const BOOTSTRAP_TYPE = "envoy.config.bootstrap.v3.Bootstrap";

/**
 * Envoy's v3 API as protobufjs types, loaded from the .proto files that ship inside @grpc/grpc-js-xds (its
 * `deps/` folder vendors envoy-api, xds, googleapis and protoc-gen-validate at one consistent revision).
 */
export interface EnvoySchema {
  readonly root: protobuf.Root;
  /** Files loaded (every v3 file whose imports all resolve). */
  readonly fileCount: number;
  /** v3 files left out because something they import is not vendored (a few tracing and metrics files). */
  readonly skippedFiles: readonly string[];
}

const VENDORED_ROOTS = ["envoy-api", "xds", "googleapis", "protoc-gen-validate"];
const IMPORT_PATTERN = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

let cached: EnvoySchema | undefined;

/** Loads once per process: parsing some 370 files takes about a second. */
export function loadEnvoySchema(): EnvoySchema {
  cached ??= buildSchema(locateVendoredProtos());
  return cached;
}

function locateVendoredProtos(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("@grpc/grpc-js-xds/package.json");
  const deps = path.join(path.dirname(packageJson), "deps");
  if (!existsSync(path.join(deps, "envoy-api"))) throw new Error(`no Envoy API protos under ${deps}: is @grpc/grpc-js-xds installed?`);
  return deps;
}

function buildSchema(deps: string): EnvoySchema {
  const includeDirs = VENDORED_ROOTS.map((name) => path.join(deps, name));
  const resolver = new ImportResolver(includeDirs);
  const candidates = [path.join(deps, "envoy-api"), path.join(deps, "xds")].flatMap((dir) =>
    listProtoFiles(dir).map((file) => path.relative(dir, file).split(path.sep).join("/")),
  );
  const versionThree = candidates.filter((file) => file.includes("/v3/"));
  const loadable = versionThree.filter((file) => resolver.closureIsComplete(file));
  const loaded = new Set(loadable);
  const skippedFiles = versionThree.filter((file) => !loaded.has(file));

  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => resolver.locate(target) ?? target;
  // keepCase: field names stay as in the .proto (snake_case); the walker derives the JSON names itself.
  root.loadSync(loadable, { keepCase: true });
  root.resolveAll();
  return { root, fileCount: loadable.length, skippedFiles };
}

/** Finds imports in the vendored folders; google/protobuf's well-known types come with protobufjs. */
class ImportResolver {
  readonly #includeDirs: readonly string[];
  readonly #complete = new Map<string, boolean>();
  readonly #bundled: ReadonlySet<string>;

  constructor(includeDirs: readonly string[]) {
    const protobufjsDir = path.dirname(createRequire(import.meta.url).resolve("protobufjs/package.json"));
    this.#bundled = new Set(Object.keys(protobuf.common).filter((name) => name.endsWith(".proto")));
    // descriptor.proto is not in protobufjs' `common` set but ships in its google/ folder (custom options
    // import it), so protobufjs' own folder is searched last.
    this.#includeDirs = [...includeDirs, protobufjsDir];
  }

  /** An absolute path, the import name itself for a bundled type, or undefined when not vendored. */
  locate(importName: string): string | undefined {
    if (this.#bundled.has(importName)) return importName;
    for (const dir of this.#includeDirs) {
      const candidate = path.join(dir, importName);
      if (existsSync(candidate)) return candidate;
    }
    return undefined;
  }

  /** Whether the file and everything it imports, transitively, can be found. */
  closureIsComplete(importName: string, visiting: Set<string> = new Set()): boolean {
    const known = this.#complete.get(importName);
    if (known !== undefined) return known;
    if (visiting.has(importName)) return true;
    visiting.add(importName);
    const location = this.locate(importName);
    let complete = location !== undefined;
    if (location !== undefined && !this.#bundled.has(importName)) {
      for (const match of readFileSync(location, "utf8").matchAll(IMPORT_PATTERN)) {
        const imported = match[1];
        if (imported !== undefined && !this.closureIsComplete(imported, visiting)) complete = false;
      }
    }
    this.#complete.set(importName, complete);
    return complete;
  }
}

function listProtoFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listProtoFiles(full));
    else if (entry.name.endsWith(".proto")) files.push(full);
  }
  return files.sort();
}
