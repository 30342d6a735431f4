import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

// examples/python runs on Debian's python3-grpcio and python3-grpc-tools alone (.ci/run installs them); on a
// machine without them this suite is reported as skipped, under a name that says what it needs.
const EXAMPLE = new URL("../../examples/python/search_example.py", import.meta.url).pathname;
const pythonGrpcAvailable = spawnSync("/usr/bin/python3", ["-c", "import grpc, grpc_tools"], { stdio: "ignore" }).status === 0;
if (!pythonGrpcAvailable) console.warn("python-example.test.ts: /usr/bin/python3 has no grpc/grpc_tools (python3-grpcio, python3-grpc-tools); examples/python is NOT run");

describe.runIf(pythonGrpcAvailable)("examples/python (needs python3-grpcio and python3-grpc-tools)", () => {
  let harness: Harness;
  let stubs: string;
  beforeAll(async () => {
    harness = await startHarness();
    stubs = await mkdtemp(join(tmpdir(), "numbergate-python-stubs-"));
  });
  afterAll(async () => {
    await harness?.close();
    if (stubs) await rm(stubs, { recursive: true, force: true });
  });

  it("searches, then decodes google.rpc ErrorInfo and BadRequest from a refused request", async () => {
    // Asynchronous on purpose: the server under test runs in this process and must keep answering.
    const { stdout, stderr } = await promisify(execFile)("/usr/bin/python3", [EXAMPLE, harness.app.address], {
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env["PATH"] ?? "", NUMBERGATE_PYTHON_STUBS: stubs, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(stderr).toBe("");
    const lines = stdout.trim().split("\n");
    expect(lines.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => expect.stringMatching(/^\+1212\d{7} (twilio|bandwidth) New York \d+$/)));
    expect(lines.slice(5)).toEqual([
      expect.stringMatching(/^INVALID_ARGUMENT: area_code: .*; pattern: /),
      "  ErrorInfo: reason=INVALID_FIELD domain=numbergate.v1",
      "  BadRequest: area_code: must be 3 digits starting with 2-9 in North America, for example 212",
      "  BadRequest: pattern: may contain only digits, with `*` (any digits) at the start and/or the end, for example *1234",
    ]);
  });
});
