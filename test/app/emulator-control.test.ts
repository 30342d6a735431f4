import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSandboxCarriers, type SandboxCarriers } from "../../src/app/sandbox-carriers.js";

let carriers: SandboxCarriers;
beforeEach(async () => {
  carriers = await startSandboxCarriers();
});
afterEach(async () => {
  await carriers.stop();
});

async function control(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

/** GET of the Bandwidth account with the sandbox credentials: an ordinary carrier request. */
async function fetchBandwidthAccount(): Promise<Response> {
  const { username, password, accountId } = carriers.bandwidth.credentials;
  return fetch(`${carriers.bandwidth.baseUrl}/accounts/${accountId}`, { headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` } });
}

describe("the emulators' control interface", () => {
  it("is served under each emulator's base URL, as the README shows ($BANDWIDTH_API_URL/__emulator/...)", async () => {
    expect(carriers.bandwidth.baseUrl).toMatch(/\/api$/);
    const injected = await control(`${carriers.bandwidth.baseUrl}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "status", status: 503, times: 1 }) });
    expect(injected).toEqual({ status: 200, body: { faults: [expect.objectContaining({ kind: "status", status: 503, times: 1 })] } });
    expect((await fetchBandwidthAccount()).status).toBe(503);
    expect((await fetchBandwidthAccount()).status).toBe(200);
    // Control calls are not carrier requests: only the two account reads were recorded.
    expect(await control(`${carriers.bandwidth.baseUrl}/__emulator/requests`)).toMatchObject({ body: { count: 2, open: 0, held: 0 } });
    expect(carriers.bandwidth.countRequests()).toBe(2);
    for (const baseUrl of [carriers.twilio.baseUrl, carriers.bandwidth.baseUrl]) {
      expect(await control(`${baseUrl}/__emulator/state`)).toMatchObject({ status: 200, body: { owned: [] } });
    }
  });

  it("is still served below the origin", async () => {
    expect((await control(`${carriers.bandwidth.origin}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "status", status: 500, times: 1 }) })).status).toBe(200);
    expect((await fetchBandwidthAccount()).status).toBe(500);
    expect(await control(`${carriers.bandwidth.origin}/__emulator/faults`, { method: "DELETE" })).toEqual({ status: 200, body: { faults: [] } });
  });

  it("holds a request until released, so a test can act while a call is certainly in flight", async () => {
    const baseUrl = carriers.bandwidth.baseUrl;
    await control(`${baseUrl}/__emulator/faults`, { method: "POST", body: JSON.stringify({ kind: "hold", times: 1 }) });
    let answered = false;
    const held = fetchBandwidthAccount().then((response) => {
      answered = true;
      return response.status;
    });
    await expect.poll(async () => (await control(`${baseUrl}/__emulator/requests`)).body).toMatchObject({ open: 1, held: 1 });
    expect(answered).toBe(false);
    expect(await control(`${baseUrl}/__emulator/release`, { method: "POST" })).toEqual({ status: 200, body: { released: 1 } });
    expect(await held).toBe(200);
    expect(carriers.bandwidth.heldRequests).toBe(0);
  });
});
