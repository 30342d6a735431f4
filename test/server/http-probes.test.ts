import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.close());

async function get(path: string, method: "GET" | "POST" = "GET"): Promise<{ status: number; body: string }> {
  const answer = await request(`${harness.app.http.publicUrl}${path}`, { method });
  return { status: answer.statusCode, body: await answer.body.text() };
}

describe("the HTTP port's probes", () => {
  it("/healthz says the process serves", async () => {
    expect(await get("/healthz")).toEqual({ status: 200, body: `${JSON.stringify({ status: "serving" })}\n` });
  });

  it("/readyz is ready while the store answers and a carrier can serve, and says why not once none can", async () => {
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: "ready", checks: { store: "reachable", carriers: expect.stringMatching(/^can serve: twilio, /) } });

    const carriers = harness.app.manager.registrations.map((registration) => registration.adapter.descriptor.id);
    for (const providerId of carriers) await harness.client.setProviderEnabled({ providerId, enabled: false, reason: "readiness test" });
    try {
      const drained = await get("/readyz");
      expect(drained.status).toBe(503);
      expect(JSON.parse(drained.body)).toEqual({ status: "not ready", checks: { store: "reachable", carriers: "none can serve" } });
    } finally {
      for (const providerId of carriers) await harness.client.setProviderEnabled({ providerId, enabled: true, reason: "readiness test over" });
    }
    expect((await get("/readyz")).status).toBe(200);
  });

  it("answers other methods 405 and other paths 404", async () => {
    expect((await get("/healthz", "POST")).status).toBe(405);
    expect((await get("/nothing-here")).status).toBe(404);
  });
});
