import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layout is the architecture: these rules are read from the import statements of src/ (type imports too,
 * since a type is still a dependency of the code that names it).
 */
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Each file of src/ (relative, with '/') and the files of src/ it imports. */
function importGraph(): ReadonlyMap<string, readonly string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const imported = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms)].map((match) => resolve(dirname(file), (match[1] ?? "").replace(/\.js$/, ".ts")));
    graph.set(relative(SRC, file).split("\\").join("/"), imported.map((path) => relative(SRC, path).split("\\").join("/")));
  }
  return graph;
}

/** Strongly connected groups of more than one file (Tarjan): each is an import cycle. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const order = new Map<string, number>();
  const lowest = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    order.set(file, next);
    lowest.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!order.has(target)) {
        visit(target);
        lowest.set(file, Math.min(lowest.get(file) ?? 0, lowest.get(target) ?? 0));
      } else if (onStack.has(target)) {
        lowest.set(file, Math.min(lowest.get(file) ?? 0, order.get(target) ?? 0));
      }
    }
    if (lowest.get(file) !== order.get(file)) return;
    const group: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      group.push(member);
      if (member === file) break;
    }
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const file of graph.keys()) if (!order.has(file)) visit(file);
  return cycles;
}

const graph = importGraph();
const carrierFolder = (file: string): string | undefined => /^carriers\/([^/]+)\//.exec(file)?.[1];
const SHARED_CARRIER_FOLDERS = new Set(["kit", "emulator-kit"]);

describe("the source layout", () => {
  it("reads every file of src/", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("carriers/registry.ts")?.some((target) => target.startsWith("carriers/twilio/"))).toBe(true);
  });

  it("has no import cycles", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("keeps manager/ and resilience/ apart: what they share lives in domain/", () => {
    const crossing = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => (file.startsWith("manager/") && target.startsWith("resilience/")) || (file.startsWith("resilience/") && target.startsWith("manager/"))).map((target) => `${file} -> ${target}`),
    );
    expect(crossing).toEqual([]);
  });

  it("reaches into a carrier's folder only from that folder and the registry: nothing else lists carriers", () => {
    const reaching = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => {
          const folder = carrierFolder(target);
          if (folder === undefined || SHARED_CARRIER_FOLDERS.has(folder)) return false;
          return file !== "carriers/registry.ts" && carrierFolder(file) !== folder;
        })
        .map((target) => `${file} -> ${target}`),
    );
    expect(reaching).toEqual([]);
  });

  it("keeps cli/ a pure client: it imports nothing of src/ or generated/ outside itself (it loads the .proto files at run time)", () => {
    const outward = [...graph]
      .filter(([file]) => file.startsWith("cli/"))
      .flatMap(([file, targets]) => targets.filter((target) => !target.startsWith("cli/")).map((target) => `${file} -> ${target}`));
    expect(graph.has("cli/main.ts")).toBe(true);
    expect(outward).toEqual([]);
  });

  it("keeps domain/ free of everything but itself and the contract (generated/)", () => {
    const outward = [...graph]
      .filter(([file]) => file.startsWith("domain/"))
      .flatMap(([file, targets]) => targets.filter((target) => !target.startsWith("domain/") && !target.startsWith("../generated/")).map((target) => `${file} -> ${target}`));
    expect(outward).toEqual([]);
  });
});
