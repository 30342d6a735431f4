import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChannel, createClient, type Channel } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { ServerReflectionService } from "nice-grpc-server-reflection";
import { ServerReflectionRequest, type ServerReflectionResponse } from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

const SERVICES = [
  "numbergate.v1.TelecomService",
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];

const V1ALPHA: typeof ServerReflectionService = {
  serverReflectionInfo: {
    ...ServerReflectionService.serverReflectionInfo,
    path: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo" as typeof ServerReflectionService.serverReflectionInfo.path,
  },
};

let harness: Harness;
let channel: Channel;
beforeAll(async () => {
  harness = await startHarness();
  channel = createChannel(harness.app.address);
});
afterAll(async () => {
  channel.close();
  await harness.close();
});

async function reflect(definition: typeof ServerReflectionService, build: (request: ServerReflectionRequest) => void): Promise<ServerReflectionResponse> {
  const client = createClient(definition, channel);
  const request = new ServerReflectionRequest();
  build(request);
  async function* requests() {
    yield request;
  }
  for await (const response of client.serverReflectionInfo(requests())) return response;
  throw new Error("no reflection response");
}

describe.each([
  ["grpc.reflection.v1", ServerReflectionService],
  ["grpc.reflection.v1alpha", V1ALPHA],
])("server reflection over %s", (_name, definition) => {
  it("lists every service", async () => {
    const response = await reflect(definition, (request) => request.setListServices("*"));
    const names = response.getListServicesResponse()?.getServiceList().map((service) => service.getName());
    expect(names?.sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES)("describes %s", async (service) => {
    const response = await reflect(definition, (request) => request.setFileContainingSymbol(service));
    expect(response.getErrorResponse()).toBeUndefined();
    expect(response.getFileDescriptorResponse()?.getFileDescriptorProtoList().length).toBeGreaterThan(0);
  });
});

describe("grpc.health.v1", () => {
  it("answers SERVING for the server and for TelecomService", async () => {
    const health = createClient(HealthDefinition, channel);
    await expect(health.check({ service: "" })).resolves.toMatchObject({ status: 1 });
    await expect(health.check({ service: "numbergate.v1.TelecomService" })).resolves.toMatchObject({ status: 1 });
  });
});

// An independent client: Debian's python3-grpcio driving ../shared/tools/grpcx.py through reflection only,
// as grpcurl would. .ci/run installs it; on a machine without it these checks are reported as not run.
const GRPCX = new URL("../../../shared/tools/grpcx.py", import.meta.url).pathname;
const pythonGrpcAvailable =
  existsSync(GRPCX) && spawnSync("/usr/bin/python3", ["-c", "import grpc, grpc_tools"], { stdio: "ignore" }).status === 0;
if (!pythonGrpcAvailable) {
  console.warn("reflection-health.test.ts: python3-grpcio or ../shared/tools/grpcx.py missing; the independent-client checks are NOT run");
}

describe.runIf(pythonGrpcAvailable)("an independent Python client using only reflection (needs python3-grpcio)", () => {
  // Asynchronous on purpose: the server under test runs in this process and must keep answering.
  const grpcx = async (...args: string[]): Promise<string> => {
    const result = await promisify(execFile)("/usr/bin/python3", [GRPCX, harness.app.address, ...args], { encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    return result.stdout;
  };

  it("compiles the contract with Debian's protoc (no proto3 optional, no unknown imports)", async () => {
    const root = new URL("../../", import.meta.url).pathname;
    const output = await mkdtemp(join(tmpdir(), "numbergate-python-"));
    const protos = ["common", "numbers", "porting", "providers", "telecom_service"].map((name) => `proto/numbergate/v1/${name}.proto`);
    const result = await promisify(execFile)(
      "/usr/bin/python3",
      ["-m", "grpc_tools.protoc", "-Iproto", "-Ithird_party/proto", `--python_out=${output}`, `--grpc_python_out=${output}`, ...protos],
      { cwd: root, encoding: "utf8" },
    );
    await rm(output, { recursive: true, force: true });
    expect(result.stderr).toBe("");
  });

  it("lists and describes every service", async () => {
    expect((await grpcx("list")).trim().split("\n").sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) expect(await grpcx("describe", service)).toMatch(/"input"/);
  });

  it("searches 212 for voice+sms and checks health", async () => {
    const output = await grpcx(
      "call",
      "numbergate.v1.TelecomService/SearchNumbers",
      JSON.stringify({ country_code: "US", area_code: "212", features: ["CAPABILITY_VOICE", "CAPABILITY_SMS"], limit: 20 }),
    );
    const response = JSON.parse(output) as { numbers: { phone_number: string; provider_id: string; locality: string; monthly_price: unknown }[] };
    expect(response.numbers).toHaveLength(20);
    expect(response.numbers.every((number) => number.phone_number.startsWith("+1212") && number.locality === "New York" && number.monthly_price)).toBe(true);
    expect(JSON.parse(await grpcx("call", "grpc.health.v1.Health/Check", "{}"))).toEqual({ status: "SERVING" });
  });
});
