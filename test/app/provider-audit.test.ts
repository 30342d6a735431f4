import { Metadata } from "nice-grpc";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASES } from "../support/databases.js";
import { startHarness, type Harness } from "../support/harness.js";

describe.each(DATABASES)("SetProviderEnabled writes the audit log on $name", (database) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it("records who drained and who re-enabled which carrier, and why", async () => {
    harness = await startHarness({ DATABASE_URL: await database.fresh() });
    const asOncall = { metadata: Metadata({ "x-numbergate-client": "oncall-bot" }) };
    await harness.client.setProviderEnabled({ providerId: "twilio", enabled: false, reason: "carrier maintenance" }, asOncall);
    await harness.client.setProviderEnabled({ providerId: "twilio", enabled: true, reason: "maintenance over" });

    const entries = (await harness.app.store.audit.list(0, 100)).filter((entry) => entry.resourceType === "provider");
    expect(entries).toEqual([
      expect.objectContaining({ actor: expect.stringMatching(/^oncall-bot@/), carrierId: "twilio", resourceId: "twilio", operation: "provider.drained", outcome: "drained", detail: "carrier maintenance" }),
      expect.objectContaining({ actor: expect.stringMatching(/^anonymous@/), carrierId: "twilio", resourceId: "twilio", operation: "provider.enabled", outcome: "enabled", detail: "maintenance over" }),
    ]);
  });
});
