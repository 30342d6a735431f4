import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChannelCredentials } from "@grpc/grpc-js";
import { createChannel, createClient, Metadata, Status, type Channel } from "nice-grpc";
import { HealthDefinition } from "nice-grpc-server-health";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TelecomServiceDefinition, type TelecomServiceClient } from "../../generated/numbergate/v1/telecom_service.js";
import { ConfigError, loadConfig } from "../../src/config/load-config.js";
import { captureRpcError, startHarness, type Harness } from "../support/harness.js";
import { makeTestCertificates, type TestCertificates } from "../support/test-certificates.js";

const READER = "reader-token-7c1e";
const BUYER = "buyer-token-19aa";
const ADMIN = "admin-token-5d0b";
const ROTATED = "buyer-token-rotated-33f2";
const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

function tokensFile(buyerTokens: readonly string[]) {
  return JSON.stringify({
    callers: [
      { name: "dashboard", token_sha256: sha256(READER), roles: ["reader"] },
      { name: "billing-svc", token_sha256: buyerTokens.map(sha256), roles: ["reader", "buyer"] },
      { name: "oncall", token_sha256: sha256(ADMIN), certificate_cn: "oncall.example.test", roles: ["reader", "admin"] },
    ],
  });
}

let dir: string;
let harness: Harness;
const channels: Channel[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "numbergate-access-"));
  await writeFile(join(dir, "tokens.json"), tokensFile([BUYER]));
  harness = await startHarness({ NUMBERGATE_TOKENS_FILE: join(dir, "tokens.json") });
});
afterAll(async () => {
  channels.forEach((channel) => channel.close());
  await harness?.close();
  await rm(dir, { recursive: true, force: true });
});

function clientWith(token: string | undefined): TelecomServiceClient {
  const metadata = token === undefined ? Metadata() : Metadata({ authorization: `Bearer ${token}` });
  return createClient(TelecomServiceDefinition, harness.channel, { "*": { metadata } });
}

const SEARCH = { countryCode: "US", areaCode: "212", limit: 1, providerIds: ["twilio"] };

async function deniedAudit(path: string, outcome: string) {
  const entries = await harness.app.store.audit.list(0, 10_000);
  return entries.filter((entry) => entry.operation === "auth.denied" && entry.resourceId === path && entry.outcome === outcome);
}

describe("bearer tokens and roles (NUMBERGATE_TOKENS_FILE)", () => {
  it("refuses a call without a token, or with one it does not know: UNAUTHENTICATED with ErrorInfo, audited", async () => {
    for (const token of [undefined, "not-a-token-anyone-has"]) {
      const error = await captureRpcError((options) => clientWith(token).searchNumbers(SEARCH, options));
      expect(error.code).toBe(Status.UNAUTHENTICATED);
      expect(error.rich?.errorInfo).toMatchObject({ reason: "UNAUTHENTICATED", domain: "numbergate.v1" });
      expect(error.details).not.toContain("not-a-token-anyone-has");
    }
    const audited = await deniedAudit("/numbergate.v1.TelecomService/SearchNumbers", "unauthenticated");
    expect(audited.length).toBeGreaterThan(0);
    expect(JSON.stringify(audited)).not.toContain("not-a-token-anyone-has");
  });

  it("lets each role do its part and nothing more: PERMISSION_DENIED naming the role, audited with the caller", async () => {
    const reader = clientWith(READER);
    const { numbers } = await reader.searchNumbers(SEARCH);
    expect(numbers).toHaveLength(1);
    const phoneNumber = numbers[0]?.phoneNumber ?? "";

    const refused = await captureRpcError((options) => reader.purchaseNumber({ requestId: "reader-buys", phoneNumber, providerId: "twilio" }, options));
    expect(refused.code).toBe(Status.PERMISSION_DENIED);
    expect(refused.rich?.errorInfo).toMatchObject({ reason: "PERMISSION_DENIED", metadata: { required_role: "buyer", caller: "dashboard" } });
    expect(harness.sandbox.twilio.purchases).toEqual([]);
    const [denial] = await deniedAudit("/numbergate.v1.TelecomService/PurchaseNumber", "permission_denied");
    expect(denial?.actor).toMatch(/^dashboard@/);

    const bought = await clientWith(BUYER).purchaseNumber({ requestId: "buyer-buys", phoneNumber, providerId: "twilio" });
    expect(bought.order?.orderId).toMatch(/^ord_/);
    // The audit log names the proven caller, not what the client says it is.
    const entries = await harness.app.store.audit.list(0, 10_000);
    const created = entries.find((entry) => entry.operation === "order.created" && entry.resourceId === bought.order?.orderId);
    expect(created?.actor).toMatch(/^billing-svc@/);

    const drain = await captureRpcError((options) => clientWith(BUYER).setProviderEnabled({ providerId: "vonage", enabled: false }, options));
    expect(drain.code).toBe(Status.PERMISSION_DENIED);
    expect(drain.rich?.errorInfo?.metadata).toMatchObject({ required_role: "admin" });
    await clientWith(ADMIN).setProviderEnabled({ providerId: "vonage", enabled: true });
    expect((await clientWith(ADMIN).listAuditEvents({ pageSize: 1, pageToken: "", resourceId: "", afterEventId: 0, newestFirst: true })).events).toHaveLength(1);
  });

  it("leaves grpc.health.v1 open to anyone", async () => {
    const health = createClient(HealthDefinition, harness.channel);
    expect((await health.check({ service: "" })).status).toBe(1);
  });

  it("takes a rotated token when the file changes, without a restart (and on reload, as SIGHUP does)", async () => {
    await writeFile(join(dir, "tokens.json"), tokensFile([ROTATED]));
    await vi.waitFor(async () => {
      const error = await captureRpcError((options) => clientWith(BUYER).getProviderHealth({ providerId: "" }, options));
      expect(error.code).toBe(Status.UNAUTHENTICATED);
    }, { timeout: 5_000 });
    expect((await clientWith(ROTATED).listProviders({})).providers.length).toBeGreaterThan(0);
    // A broken file keeps the callers as they were: nobody is locked out, nobody let in.
    await writeFile(join(dir, "tokens.json"), "{ not json");
    expect(await harness.app.reload()).toBe(false);
    expect((await clientWith(ROTATED).listProviders({})).providers.length).toBeGreaterThan(0);
    await writeFile(join(dir, "tokens.json"), tokensFile([BUYER, ROTATED]));
    expect(await harness.app.reload()).toBe(true);
    expect((await clientWith(BUYER).listProviders({})).providers.length).toBeGreaterThan(0);
  });
});

describe("mTLS (NUMBERGATE_TLS_CERT, NUMBERGATE_TLS_KEY, NUMBERGATE_TLS_CLIENT_CA) with a test CA", () => {
  let certificates: TestCertificates;
  let secured: Harness;
  beforeAll(async () => {
    certificates = makeTestCertificates(dir, ["oncall.example.test", "intruder.example.test"]);
    secured = await startHarness({
      NUMBERGATE_TOKENS_FILE: join(dir, "tokens.json"),
      NUMBERGATE_TLS_CERT: certificates.serverCertFile,
      NUMBERGATE_TLS_KEY: certificates.serverKeyFile,
      NUMBERGATE_TLS_CLIENT_CA: certificates.caFile,
    });
  });
  afterAll(async () => secured?.close());

  function tlsClient(cert: Buffer | undefined, key: Buffer | undefined, token?: string): TelecomServiceClient {
    const channel = createChannel(secured.app.address, ChannelCredentials.createSsl(certificates.ca, key ?? null, cert ?? null));
    channels.push(channel);
    return createClient(TelecomServiceDefinition, channel, token === undefined ? {} : { "*": { metadata: Metadata({ authorization: `Bearer ${token}` }) } });
  }

  it("knows a caller by its client certificate's subject, with the roles the tokens file gives it", async () => {
    const oncall = certificates.client("oncall.example.test");
    const client = tlsClient(oncall.cert, oncall.key);
    await client.setProviderEnabled({ providerId: "plivo", enabled: false });
    const entries = await secured.app.store.audit.list(0, 10_000);
    expect(entries.find((entry) => entry.resourceId === "plivo")?.actor).toMatch(/^oncall@/);
    const refused = await captureRpcError((options) => client.purchaseNumber({ requestId: "cert-buys", phoneNumber: "+12125550100", providerId: "twilio" }, options));
    expect(refused.code).toBe(Status.PERMISSION_DENIED);
  });

  it("refuses a certificate the file does not name unless it brings a token, and a certificate another CA signed at the handshake", async () => {
    const intruder = certificates.client("intruder.example.test");
    expect((await captureRpcError((options) => tlsClient(intruder.cert, intruder.key).listProviders({}, options))).code).toBe(Status.UNAUTHENTICATED);
    expect((await tlsClient(intruder.cert, intruder.key, READER).listProviders({})).providers.length).toBeGreaterThan(0);
    const stranger = await captureRpcError((options) => tlsClient(certificates.strangerCert, certificates.strangerKey).listProviders({}, options));
    expect(stranger.code).toBe(Status.UNAVAILABLE);
    const noCertificate = await captureRpcError((options) => tlsClient(undefined, undefined, READER).listProviders({}, options));
    expect(noCertificate.code).toBe(Status.UNAVAILABLE);
  });
});

describe("live mode", () => {
  const live = { TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`, TWILIO_AUTH_TOKEN: "x".repeat(32), NUMBERGATE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") };
  it("refuses to start open, and starts open only when told to", () => {
    expect(() => loadConfig(live)).toThrow(ConfigError);
    expect(() => loadConfig(live)).toThrow(/live mode refuses to serve without access control/);
    expect(loadConfig({ ...live, NUMBERGATE_ALLOW_UNAUTHENTICATED: "true" }).access.open).toBe(true);
    expect(loadConfig({ ...live, NUMBERGATE_TOKENS_FILE: "/etc/numbergate/tokens.json" }).access.open).toBe(false);
  });
});
