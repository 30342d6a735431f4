import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

// examples/python runs on Debian's python3-grpcio and python3-protobuf with the stubs committed in generated/python
// (.ci/run installs the packages); on a machine without them this suite is reported as skipped, under a name that
// says what it needs.
const EXAMPLE = new URL("../../examples/python/numbergate_client_example.py", import.meta.url).pathname;
const pythonGrpcAvailable = spawnSync("/usr/bin/python3", ["-c", "import grpc, google.protobuf"], { stdio: "ignore" }).status === 0;
if (!pythonGrpcAvailable) console.warn("python-example.test.ts: /usr/bin/python3 has no grpc (python3-grpcio, python3-protobuf); examples/python is NOT run");

describe.runIf(pythonGrpcAvailable)("examples/python (needs python3-grpcio)", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("numbergate_client_example.py: providers, search, reserve, one purchase per request_id, decoded BadRequest, a health snapshot", async () => {
    // Asynchronous on purpose: the server under test runs in this process and must keep answering.
    const { stdout, stderr } = await promisify(execFile)("/usr/bin/python3", [EXAMPLE], {
      encoding: "utf8",
      timeout: 60_000,
      // The address through the environment, as a deployment would give it; bytecode not written into generated/.
      env: { PATH: process.env["PATH"] ?? "", NUMBERGATE_ADDRESS: harness.app.address, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(stderr).toBe("");
    const lines = stdout.trim().split("\n");
    const after = (heading: RegExp, count: number): string[] => {
      const at = lines.findIndex((line) => heading.test(line));
      expect(at, `no line matching ${heading} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
      return lines.slice(at, at + 1 + count);
    };

    expect(lines[0]).toBe(`numbergate at ${harness.app.address} (plaintext)`);
    expect(after(/^providers: /, 5)).toEqual([
      "providers: 5",
      ...["twilio", "bandwidth", "telnyx", "vonage", "plivo"].map((id) => expect.stringMatching(new RegExp(`^  ${id} \\(\\w+\\): enabled, priority \\d, sandbox, countries .*US`))),
    ]);
    expect(after(/^search US 212: /, 5)).toEqual([
      "search US 212: 5 numbers",
      ...Array.from({ length: 5 }, () => expect.stringMatching(/^  \+1212\d{7} (twilio|bandwidth) New York \$\d+\.\d\d\/month$/)),
    ]);

    const reserved = /^reserved (\+1212\d{7}) at (\w+): (res_\S+), ACTIVE until \S+Z$/.exec(after(/^reserved /, 0)[0] ?? "");
    expect(reserved, stdout).not.toBeNull();
    const [, phoneNumber, providerId] = reserved ?? [];
    const purchased = /^purchased (\S+) at (\w+): order (ord_\S+), COMPLETED, request_id (python-example-purchase-\w+)$/.exec(after(/^purchased /, 0)[0] ?? "");
    expect(purchased?.slice(1, 3), stdout).toEqual([phoneNumber, providerId]);
    const [, , , orderId, requestId] = purchased ?? [];
    expect(after(/^retried /, 1)).toEqual([
      `retried request_id ${requestId}: same order ${orderId}, 1 order with that key (not bought twice)`,
      `released ${phoneNumber}: RELEASED`,
    ]);
    // The emulator saw one purchase although the example asked twice.
    const purchases = providerId === "twilio" ? harness.sandbox.twilio.purchases : harness.sandbox.bandwidth.numbers.purchases;
    expect(purchases).toEqual([providerId === "twilio" ? phoneNumber : phoneNumber?.slice(2)]);

    expect(after(/^bad request: /, 4)).toEqual([
      'bad request: SearchNumbers with country_code ""',
      expect.stringMatching(/^  INVALID_ARGUMENT: country_code: /),
      "    ErrorInfo: reason=INVALID_FIELD domain=numbergate.v1",
      expect.stringMatching(/^    BadRequest: country_code: is required/),
      "    RetryInfo: none (the same request would be refused again)",
    ]);
    expect(after(/^health snapshot: /, 5)).toEqual([
      "health snapshot: 5 providers",
      ...Array.from({ length: 5 }, () => expect.stringMatching(/^  (twilio|bandwidth|telnyx|vonage|plivo): HEALTHY, breaker CLOSED, uptime \d+\.\d%$/)),
    ]);
    expect(lines.at(-1)).toBe("done");
  });
});
