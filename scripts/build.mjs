#!/usr/bin/env node
// `npm run build [-- --outDir DIR] [--skip-typecheck] [--with-entry FILE ...]`: type-checks src/ and generated/
// with tsconfig.build.json, bundles the three entry points (src/main.ts, src/admin-main.ts, src/emulators-main.ts)
// with esbuild into dist/src/ (their shared code in chunk files beside them, node_modules included except native
// modules), then copies the non-TypeScript files the service reads at run time to the same relative places they
// have in the repository. The service finds them from src/project-root.ts, which resolves to dist/ in the build,
// so the output directory runs on its own: beside package.json and node_modules, nothing else from the repository
// is read.
//
// Why a bundle: loading some six hundred modules of numbergate and a few thousand of its dependencies one file
// at a time was most of the time from process start to SERVING; one parse of a few files is a fraction of it.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const defaultOutDir = join(root, "dist");

/**
 * Files read at run time, found from PROJECT_ROOT (src/project-root.ts), which holds in the output directory as
 * long as each keeps its place: config/prices.sample.json (sandbox prices, src/config/price-table.ts), and
 * everything under src/ and generated/ that is not TypeScript (generated/numbergate.binpb for reflection and
 * request decoding, src/server/reflection.ts; src/server/status-page/status-page.html), so a new asset there
 * needs no change here.
 */
const ENTRY_POINTS = ["src/main.ts", "src/admin-main.ts", "src/emulators-main.ts"];
const ASSET_FILES = ["config/prices.sample.json"];
const ASSET_TREES = ["src", "generated"];
const COMPILED = /\.(ts|mts|cts)$/;
/** Generated for other languages' clients (generated/python): never read by the service. */
const OTHER_CLIENTS = /^python\//;

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

/**
 * --with-entry FILE (repeatable): another entry point bundled beside the service's, compiled exactly as they are.
 * `npm run bench` runs its server harnesses (bench/servers/*.ts) this way, so it measures the code as shipped.
 */
function extraEntries(args) {
  return args.flatMap((arg, index) => (arg === "--with-entry" ? [args[index + 1] ?? fail("--with-entry needs a file")] : arg.startsWith("--with-entry=") ? [arg.slice("--with-entry=".length)] : []));
}
const entryPoints = [...ENTRY_POINTS, ...extraEntries(process.argv.slice(2))];

// Stale modules of deleted sources would otherwise linger in dist/ and still be importable. Only dist/ is
// emptied: another directory may be anything the caller named, so it must be new or empty instead.
if (outDir === defaultOutDir) rmSync(outDir, { recursive: true, force: true });
else if (existsSync(outDir) && readdirSync(outDir).length > 0) fail(`${outDir} is not empty; name a new or empty directory`);

// --skip-typecheck: for `npm run bench`, which builds what CI has already type-checked and wants it in seconds.
if (!process.argv.includes("--skip-typecheck")) {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const checked = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--noEmit"], { cwd: root, stdio: "inherit" });
  if (checked.status !== 0) fail(`tsc exited with ${checked.status ?? checked.signal}`);
}

await build({
  absWorkingDir: root,
  entryPoints: entryPoints.map((entry) => (isAbsolute(entry) ? entry : join(root, entry))),
  outdir: join(outDir, "src"),
  entryNames: "[name]",
  // Beside the entry points: every output file is one level below dist/, as src/project-root.ts expects.
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Native addons are loaded from node_modules at run time (better-sqlite3's binary; pg's optional pg-native).
  external: ["better-sqlite3", "pg-native"],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __numbergateCreateRequire } from "node:module"; const require = __numbergateCreateRequire(import.meta.url);' },
  sourcemap: "linked",
  // Smaller source text is less memory for as long as the process runs (V8 keeps every script's source); the
  // source maps lead back to the TypeScript. Identifiers are not minified: names stay as the bundle has them,
  // without keepNames, which would give every function created at run time a property of its own (memory on
  // every call and stream).
  minifyWhitespace: true,
  minifySyntax: true,
  // Licence headers in files of their own (*.LEGAL.txt beside each output file): some hold characters outside
  // Latin-1, and one such character makes V8 hold a whole output file's source as two-byte text.
  legalComments: "linked",
  logLevel: "warning",
}).catch((error) => fail(error instanceof Error ? error.message : String(error)));

for (const file of ASSET_FILES) cpSync(join(root, file), join(outDir, file));
for (const tree of ASSET_TREES) {
  for (const file of readdirSync(join(root, tree), { recursive: true, encoding: "utf8" })) {
    const source = join(root, tree, file);
    if (COMPILED.test(file) || OTHER_CLIENTS.test(file) || !statSync(source).isFile()) continue;
    mkdirSync(dirname(join(outDir, tree, file)), { recursive: true });
    cpSync(source, join(outDir, tree, file));
  }
}

process.stdout.write(`build: ${relative(process.cwd(), outDir) || "."} ready (node ${relative(process.cwd(), join(outDir, "src", "main.js"))})\n`);
