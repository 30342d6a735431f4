import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NumberOrderState } from "../../generated/numbergate/v1/numbers.js";
import { portRequest } from "../porting/porting-harness.js";
import { startHarness, type Harness } from "../support/harness.js";
import { closedPort, runCli } from "./cli-process.js";

const CARRIERS = ["twilio", "bandwidth", "telnyx", "vonage", "plivo"];

let harness: Harness;
let cli: (...args: string[]) => ReturnType<typeof runCli>;
beforeAll(async () => {
  harness = await startHarness({});
  cli = (...args) => runCli(["--address", harness.app.address, ...args]);
});
afterAll(async () => harness.close());

/** The table line of one carrier in `providers` output. */
const carrierLine = (stdout: string, carrier: string): string => stdout.split("\n").find((line) => line.startsWith(`${carrier} `)) ?? "";

describe("numbergate CLI against a running numbergate", { timeout: 60_000 }, () => {
  it("providers: a table of the five carriers", async () => {
    const { code, stdout, stderr } = await cli("providers");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/^CARRIER\s+STATE\s+STATUS\s+BREAKER\s+WEIGHT/);
    for (const carrier of CARRIERS) expect(carrierLine(stdout, carrier)).toMatch(/\benabled\s+healthy\s+closed\s+100%/);
  });

  it("--json providers: one JSON document, providers joined with their health", async () => {
    const { code, stdout } = await cli("--json", "providers");
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as { providers: { providerId: string; enabled: boolean; health: { status: string } | null }[] };
    expect(document.providers.map((provider) => provider.providerId).sort()).toEqual([...CARRIERS].sort());
    expect(document.providers.every((provider) => provider.enabled && provider.health?.status === "PROVIDER_STATUS_HEALTHY")).toBe(true);
  });

  it("search: numbers with carrier, price and capabilities, then each carrier's outcome", async () => {
    const { code, stdout } = await cli("search", "--country", "US", "--area-code", "212", "--limit", "3");
    expect(code).toBe(0);
    const numbers = stdout.split("\n").filter((line) => /^\+1212\d{7}\s/.test(line));
    expect(numbers).toHaveLength(3);
    for (const line of numbers) expect(line).toMatch(/\s(twilio|bandwidth|telnyx|vonage|plivo)\s+local\s.*\s(USD \d+\.\d{2}|unknown)\s+\S*voice/);
    expect(stdout).toMatch(/^CARRIER\s+OUTCOME\s+NUMBERS/m);
    expect(stdout).toMatch(/^twilio\s+answered\s+3\b/m);
  });

  it("drain, then providers shows the carrier drained; enable restores it", async () => {
    const drained = await cli("drain", "vonage", "--reason", "cli maintenance");
    expect(drained).toMatchObject({ code: 0, stdout: "vonage: drained (cli maintenance)\n" });
    expect(carrierLine((await cli("providers")).stdout, "vonage")).toMatch(/^vonage\s+drained\s+disabled\s/);
    expect((await cli("enable", "vonage")).code).toBe(0);
    expect(carrierLine((await cli("providers")).stdout, "vonage")).toMatch(/^vonage\s+enabled\s/);
  });

  it("audit --limit 5: the latest entries, oldest first, the drain among them", async () => {
    await cli("drain", "plivo", "--reason", "audit check");
    await cli("enable", "plivo");
    const { code, stdout } = await cli("audit", "--limit", "5");
    expect(code).toBe(0);
    const rows = stdout.trim().split("\n").slice(1);
    expect(rows.length).toBeLessThanOrEqual(5);
    const ids = rows.map((row) => Number(row.split(/\s+/)[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(rows.at(-2)).toMatch(/provider\.drained\s+drained\s+plivo\s+provider\/plivo\s+audit check$/);
    expect(rows.at(-1)).toMatch(/provider\.enabled\s+enabled\s+plivo/);
    // The CLI names itself to the server: the audit log says who acted.
    expect(rows.at(-1)).toMatch(/numbergate-cli@/);
  });

  it("order and orders --state completed show a purchase made by another client", async () => {
    const { numbers } = await harness.client.searchNumbers({ countryCode: "US", areaCode: "415", providerIds: ["twilio"], limit: 1 });
    const phoneNumber = numbers[0]?.phoneNumber ?? "";
    const { order } = await harness.client.purchaseNumber({ requestId: "cli-order-1", phoneNumber, providerId: "twilio" });
    const orderId = order?.orderId ?? "";
    await vi.waitFor(async () => expect((await harness.client.getNumberOrder({ orderId })).order?.state).toBe(NumberOrderState.NUMBER_ORDER_STATE_COMPLETED), { timeout: 15_000, interval: 50 });

    const shown = await cli("order", orderId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^order:\\s+${orderId}$`, "m"));
    expect(shown.stdout).toMatch(/^state:\s+completed$/m);
    expect(shown.stdout).toMatch(/^carrier:\s+twilio$/m);
    expect(shown.stdout).toMatch(new RegExp(`^\\${phoneNumber}\\s+purchased`, "m"));

    const listed = await cli("orders", "--state", "completed", "--limit", "10");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${orderId}\\s+completed\\s+twilio\\s+\\${phoneNumber}\\s`, "m"));
    const inDoubt = await cli("orders", "--state", "in_doubt");
    expect(inDoubt).toMatchObject({ code: 0, stdout: "no orders\n" });
  });

  it("port and ports show a porting order made by another client, with its transitions", async () => {
    const { portingOrder } = await harness.client.createPortingOrder(portRequest({ requestId: "cli-port-1", providerId: "bandwidth" }));
    const portingOrderId = portingOrder?.portingOrderId ?? "";
    const shown = await cli("port", portingOrderId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^state:\s+awaiting_documents$/m);
    expect(shown.stdout).toMatch(/^numbers:\s+\+19195550102$/m);
    expect(shown.stdout).toMatch(/^transitions:\nTIME\s+FROM\s+TO\s.*\n\S+Z\s+pending\s+awaiting_documents\s/m);
    const listed = await cli("ports", "--state", "awaiting_documents", "--provider", "bandwidth");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${portingOrderId}\\s+awaiting_documents\\s+bandwidth\\s+\\+19195550102\\s`, "m"));
    expect(await cli("ports", "--state", "completed")).toMatchObject({ code: 0, stdout: "no porting orders\n" });
  });

  it("a bad request exits 1 with the decoded reason and field violation", async () => {
    const { code, stdout, stderr } = await cli("search", "--country", "XX1");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error: INVALID_ARGUMENT: /);
    expect(stderr).toMatch(/^ {2}reason: INVALID_FIELD$/m);
    expect(stderr).toMatch(/^ {2}field country_code: .+/m);
  });

  it("with --json, the error is a JSON document on stderr", async () => {
    const { code, stderr } = await cli("--json", "search", "--country", "");
    expect(code).toBe(1);
    const { error } = JSON.parse(stderr) as { error: { code: string; details: { "@type": string; fieldViolations?: { field: string }[] }[] } };
    expect(error.code).toBe("INVALID_ARGUMENT");
    const badRequest = error.details.find((detail) => detail["@type"] === "type.googleapis.com/google.rpc.BadRequest");
    expect(badRequest?.fieldViolations?.map((violation) => violation.field)).toEqual(["country_code"]);
  });

  it("never prints the token it sends", async () => {
    const { code, stdout, stderr } = await cli("--token", "s3cr3t-token-value", "order", "no-such-order");
    expect(code).toBe(1);
    expect(`${stdout}${stderr}`).not.toContain("s3cr3t-token-value");
  });

  it("usage errors exit 2 with the usage line: unknown command, unknown option, missing argument", async () => {
    // Independent processes: started together, the test waits for the slowest rather than the sum.
    const [unknown, option, missing, country] = await Promise.all([cli("frobnicate"), cli("providers", "--bogus"), cli("drain"), cli("search")]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown command "frobnicate"');
    expect(unknown.stderr).toContain("usage: numbergate [options] <command> [arguments]");
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("error: unknown option --bogus");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("usage: numbergate [options] drain <provider> [--reason TEXT]");
    expect(country.code).toBe(2);
    expect(country.stderr).toContain("error: search needs --country");
  });

  it("--help documents the commands and exit codes; --version says the version", async () => {
    const [help, auditHelp, version] = await Promise.all([runCli(["--help"]), runCli(["audit", "--help"]), runCli(["--version"])]);
    expect(help.code).toBe(0);
    for (const command of ["providers", "health", "search", "drain", "enable", "order", "orders", "port", "ports", "audit"]) expect(help.stdout).toMatch(new RegExp(`^ {2}${command}\\s`, "m"));
    expect(help.stdout).toMatch(/^ {2}3 {2}the server could not be reached/m);
    expect(auditHelp.stdout).toContain("--follow");
    expect(version.stdout).toMatch(/^numbergate \d+\.\d+\.\d+/);
  });

  it("a closed port exits 3", async () => {
    const { code, stderr } = await runCli(["--address", `127.0.0.1:${await closedPort()}`, "providers"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^error: UNAVAILABLE: /);
  });
});
