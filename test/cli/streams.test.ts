import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.js";
import { startCli } from "./cli-process.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({});
});
afterAll(async () => harness.close());

const drain = (providerId: string, reason: string) => harness.client.setProviderEnabled({ providerId, enabled: false, reason });
const enable = (providerId: string) => harness.client.setProviderEnabled({ providerId, enabled: true, reason: "" });

describe("the CLI's streaming commands", { timeout: 60_000 }, () => {
  it("health --watch: the snapshot table, then a line per change, until Ctrl-C (exit 0)", async () => {
    const watch = startCli(["--address", harness.app.address, "health", "--watch"]);
    try {
      await watch.waitForOutput(/^plivo\s+healthy\s+closed/m);
      expect(watch.stdout()).toMatch(/^CARRIER\s+STATUS\s+BREAKER/);
      await drain("bandwidth", "watch check");
      await watch.waitForOutput(/^\S+Z\s+bandwidth\s+healthy -> disabled\s+breaker closed\s+weight 0%$/m);
      watch.child.kill("SIGINT");
      const result = await watch.exited;
      expect(result).toMatchObject({ code: 0, stderr: "" });
    } finally {
      watch.child.kill("SIGKILL");
      await enable("bandwidth");
    }
  });

  it("--json health --watch: one JSON object per line", async () => {
    const watch = startCli(["--address", harness.app.address, "--json", "health", "--watch", "--provider", "telnyx"]);
    try {
      await watch.waitForOutput(/\n/);
      const [snapshot] = watch.stdout().trim().split("\n").map((line) => JSON.parse(line) as { snapshot: boolean; providers: { providerId: string }[] });
      expect(snapshot).toMatchObject({ snapshot: true, providers: [{ providerId: "telnyx" }] });
      watch.child.kill("SIGTERM");
      expect((await watch.exited).code).toBe(0);
    } finally {
      watch.child.kill("SIGKILL");
    }
  });

  it("audit --follow: the latest entries, then each new one as it is written, until Ctrl-C (exit 0)", async () => {
    const follow = startCli(["--address", harness.app.address, "audit", "--follow", "--limit", "3"]);
    try {
      await follow.waitForOutput(/^ID\s+TIME\s+ACTOR\s+OPERATION/m);
      await drain("vonage", "follow check");
      await follow.waitForOutput(/provider\.drained\s+drained\s+vonage\s+provider\/vonage\s+follow check$/m);
      await enable("vonage");
      await follow.waitForOutput(/provider\.enabled\s+enabled\s+vonage/m);
      follow.child.kill("SIGINT");
      const result = await follow.exited;
      expect(result).toMatchObject({ code: 0, stderr: "" });
      // Each entry once, in order.
      const ids = result.stdout.trim().split("\n").slice(1).map((line) => Number(line.split(/\s+/)[0]));
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    } finally {
      follow.child.kill("SIGKILL");
    }
  });
});
