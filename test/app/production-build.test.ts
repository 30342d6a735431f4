import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createChannel, createClient, type Channel } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { ServerReflectionService } from "nice-grpc-server-reflection";
import { ServerReflectionRequest } from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TelecomServiceDefinition } from "../../generated/numbergate/v1/telecom_service.js";
import { exitOf, launch, waitForOutput, type Child } from "../support/processes.js";

const REPOSITORY = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);

// One build (tsc over src/ and generated/, some 15-30 s on this machine) serves every test here.
const BUILD_TIMEOUT_MS = 180_000;
vi.setConfig({ testTimeout: 60_000 });

/**
 * The runtime stage of the Dockerfile, reproduced in a temporary directory: package.json, node_modules, dist/ and
 * the health check script, and nothing else from the repository. A compiled module that still read a file from
 * src/, generated/ or config/ of the checkout would fail here as it would in the image.
 */
let appRoot = "";
beforeAll(async () => {
  appRoot = mkdtempSync(join(tmpdir(), "numbergate-build-"));
  copyFileSync(join(REPOSITORY, "package.json"), join(appRoot, "package.json"));
  symlinkSync(join(REPOSITORY, "node_modules"), join(appRoot, "node_modules"), "dir");
  mkdirSync(join(appRoot, "scripts"));
  copyFileSync(join(REPOSITORY, "scripts/grpc-health-check.mjs"), join(appRoot, "scripts/grpc-health-check.mjs"));
  // Into a directory of its own: dist/ of the checkout may be in use by whoever runs the service from it.
  try {
    await run("npm", ["run", "--silent", "build", "--", "--outDir", join(appRoot, "dist")], { cwd: REPOSITORY, timeout: BUILD_TIMEOUT_MS });
  } catch (error) {
    // tsc prints its errors on stdout, which the rejection's message leaves out.
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}`, { cause: error });
  }
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (appRoot !== "") rmSync(appRoot, { recursive: true, force: true });
});

const started: { child: Child; dataDir: string }[] = [];
afterEach(() => {
  for (const { child, dataDir } of started.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * `node dist/src/main.js` from the app directory, as the image's CMD runs it: plain node, no tsx loader (which
 * test/support/processes.ts's launch always adds), with only the variables given, on free ports.
 */
function startCompiled(): Child {
  const dataDir = mkdtempSync(join(tmpdir(), "numbergate-data-"));
  const child = launch(join(appRoot, "dist/src/main.js"), { NUMBERGATE_DATA_DIR: dataDir, NUMBERGATE_GRPC_ADDR: "127.0.0.1:0", NUMBERGATE_HTTP_ADDR: "127.0.0.1:0" }, [], { cwd: appRoot, loader: false });
  started.push({ child, dataDir });
  return child;
}

/** scripts/grpc-health-check.mjs as the image's HEALTHCHECK runs it: its exit code and what it printed. */
async function healthCheck(args: readonly string[], environment: Readonly<Record<string, string>> = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["scripts/grpc-health-check.mjs", ...args], { cwd: appRoot, env: { PATH: process.env["PATH"] ?? "", ...environment }, timeout: 20_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe("npm run build: the compiled service on its own (the image's layout)", () => {
  it("writes source text V8 can hold one byte per character: nothing outside Latin-1 in any output file", () => {
    // One such character anywhere makes V8 keep that whole file's source as two-byte text for the life of the process.
    const outputs = readdirSync(join(appRoot, "dist/src")).filter((file) => file.endsWith(".js"));
    expect(outputs).toContain("main.js");
    const wide = outputs.filter((file) => /[^\u0000-\u00ff]/u.test(readFileSync(join(appRoot, "dist/src", file), "utf8")));
    expect(wide).toEqual([]);
  });

  it("serves gRPC, health, reflection, /readyz and the status page, passes the image's health check, and exits 0 on SIGTERM", async () => {
    const child = startCompiled();
    const exited = exitOf(child);
    const [, address = ""] = await waitForOutput(child, /serving gRPC on (127\.0\.0\.1:\d+)/);
    const [, httpPort = ""] = await waitForOutput(child, /"httpPort":(\d+)/);
    const channel: Channel = createChannel(address);
    try {
      const health = createClient(HealthDefinition, channel);
      await vi.waitFor(async () => expect(await health.check({ service: "" })).toMatchObject({ status: 1 }), { timeout: 20_000, interval: 50 });
      await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200), { timeout: 20_000, interval: 50 });

      // src/server/status-page/status-page.html, read beside its compiled module.
      const page = await fetch(`http://127.0.0.1:${httpPort}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/^<!doctype html>/i);

      // generated/numbergate.binpb, read by reflection and by request decoding.
      const request = new ServerReflectionRequest();
      request.setFileContainingSymbol("numbergate.v1.TelecomService");
      async function* requests(): AsyncGenerator<ServerReflectionRequest> {
        yield request;
      }
      const reflection = createClient(ServerReflectionService, channel);
      let described = 0;
      for await (const response of reflection.serverReflectionInfo(requests())) {
        expect(response.getErrorResponse()).toBeUndefined();
        described = response.getFileDescriptorResponse()?.getFileDescriptorProtoList().length ?? 0;
        break;
      }
      expect(described).toBeGreaterThan(0);

      // config/prices.sample.json (sandbox prices) and the carrier emulators, through a real call.
      const search = await createClient(TelecomServiceDefinition, channel).searchNumbers({ countryCode: "US", areaCode: "212", limit: 3 });
      expect(search.numbers).toHaveLength(3);

      expect(await healthCheck([address])).toMatchObject({ code: 0, output: expect.stringContaining("SERVING") as unknown });
      // The image sets NUMBERGATE_GRPC_ADDR=0.0.0.0:50051 and runs the check with no argument: the wildcard is
      // reached over loopback.
      expect(await healthCheck([], { NUMBERGATE_GRPC_ADDR: `0.0.0.0:${address.split(":")[1] ?? ""}` })).toMatchObject({ code: 0 });
      expect(await healthCheck([address, "no.such.Service"])).toMatchObject({ code: 1, output: expect.stringContaining("NOT_FOUND") as unknown });
    } finally {
      channel.close();
    }

    child.process.kill("SIGTERM");
    expect(await exited).toMatchObject({ code: 0 });
    expect(child.stdout).toContain('"msg":"stopped"');
    // Nothing answers any more: the check fails rather than hangs.
    expect(await healthCheck([address])).toMatchObject({ code: 1, output: expect.stringContaining("UNAVAILABLE") as unknown });
  });
});
