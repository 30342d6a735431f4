#!/usr/bin/env node
// `npm run build [-- --outDir DIR]`: compiles src/ and generated/ with tsconfig.build.json, then copies the
// non-TypeScript files the service reads at run time next to the JavaScript, at the same relative places they
// have in the repository. The service finds them relative to its own modules (import.meta.url), so the output
// directory runs on its own: beside package.json and node_modules, nothing else from the repository is read.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const defaultOutDir = join(root, "dist");

/**
 * Files read at run time, found from the module that reads them by a relative URL, which holds in the output
 * directory as long as each keeps its place: config/prices.sample.json (sandbox prices,
 * src/config/price-table.ts), and everything under src/ and generated/ that tsc does not compile
 * (generated/numbergate.binpb for reflection and request decoding, src/server/reflection.ts;
 * src/server/status-page/status-page.html), so a new asset there needs no change here.
 */
const ASSET_FILES = ["config/prices.sample.json"];
const ASSET_TREES = ["src", "generated"];
const COMPILED = /\.(ts|mts|cts)$/;

function parseOutDir(args) {
  const index = args.findIndex((arg) => arg === "--outDir" || arg.startsWith("--outDir="));
  if (index === -1) return defaultOutDir;
  const arg = args[index] ?? "";
  const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[index + 1];
  if (value === undefined || value === "") fail("--outDir needs a directory");
  return isAbsolute(value) ? value : resolve(process.cwd(), value);
}

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

const outDir = parseOutDir(process.argv.slice(2));

// Stale modules of deleted sources would otherwise linger in dist/ and still be importable. Only dist/ is
// emptied: another directory may be anything the caller named, so it must be new or empty instead.
if (outDir === defaultOutDir) rmSync(outDir, { recursive: true, force: true });
else if (existsSync(outDir) && readdirSync(outDir).length > 0) fail(`${outDir} is not empty; name a new or empty directory`);

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", outDir], { cwd: root, stdio: "inherit" });
if (compiled.status !== 0) fail(`tsc exited with ${compiled.status ?? compiled.signal}`);

for (const file of ASSET_FILES) cpSync(join(root, file), join(outDir, file));
for (const tree of ASSET_TREES) {
  cpSync(join(root, tree), join(outDir, tree), {
    recursive: true,
    filter: (source) => statSync(source).isDirectory() || !COMPILED.test(source),
  });
}

process.stdout.write(`build: ${relative(process.cwd(), outDir) || "."} ready (node ${relative(process.cwd(), join(outDir, "src", "main.js"))})\n`);
