import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HealthMonitor } from "../../src/manager/carrier-health.js";
import { NO_TOTALS, type CarrierTotals } from "../../src/telemetry/carrier-totals.js";
import { SlowStart } from "../../src/manager/slow-start.js";
import { histogramQuantileMs, parseCarrierHistograms } from "../../src/server/status-page/latency-histogram.js";
import { StatusFeed, type StatusEvent } from "../../src/server/status-page/status-feed.js";
import { RingBuffer, StatusHistory } from "../../src/telemetry/status-history.js";
import { silentLogger } from "../../src/telemetry/logger.js";
import { startHarness, type Harness } from "../support/harness.js";

const CARRIERS = ["twilio", "bandwidth", "telnyx", "vonage", "plivo"];

/** The server-sent events of a stream, one parsed `data:` payload per event (comments skipped). */
async function* sseEvents(body: AsyncIterable<Buffer | string>): AsyncGenerator<StatusEvent> {
  let buffer = "";
  for await (const chunk of body) {
    buffer += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data !== "") yield JSON.parse(data) as StatusEvent;
    }
  }
}

async function nextEvent(events: AsyncGenerator<StatusEvent>, type: StatusEvent["type"]): Promise<StatusEvent> {
  for (;;) {
    const next = await events.next();
    if (next.done) throw new Error(`stream ended before a ${type} event`);
    if (next.value.type === type) return next.value;
  }
}

describe("status page over the harness", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => harness.close());

  it("GET / is one self-contained HTML page with no-store, a hash-only CSP and nosniff", async () => {
    const answer = await request(`${harness.app.http.publicUrl}/`);
    const html = await answer.body.text();
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    const csp = String(answer.headers["content-security-policy"]);
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(html).toContain("<title>numbergate status</title>");
    // No external asset: nothing loaded from anywhere (no src=, no href= to a file).
    expect(html).not.toMatch(/\ssrc=|<link\s/);
    // The CSP's hashes are those of the page's own script and style.
    for (const tag of ["script", "style"]) {
      const inline = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? "";
      expect(csp).toContain(`${tag}-src 'sha256-${createHash("sha256").update(inline).digest("base64")}'`);
    }
  });

  it("answers other methods 405 on / and /events", async () => {
    const post = await request(`${harness.app.http.publicUrl}/`, { method: "POST" });
    await post.body.dump();
    expect(post.statusCode).toBe(405);
    expect(post.headers["allow"]).toBe("GET, HEAD");
    const events = await request(`${harness.app.http.publicUrl}/events`, { method: "DELETE" });
    await events.body.dump();
    expect(events.statusCode).toBe(405);
    expect(events.headers["allow"]).toBe("GET");
  });

  it("GET /events sends a snapshot of all five carriers, then each health change, and lets go of its listener on disconnect", async () => {
    const health = harness.app.manager.health;
    const listenersBefore = health.listenerCount;
    const answer = await request(`${harness.app.http.publicUrl}/events`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(answer.headers["cache-control"]).toBe("no-store");
    let raw = "";
    const body = (async function* () {
      for await (const chunk of answer.body) {
        raw += chunk.toString("utf8");
        yield chunk as Buffer;
      }
    })();
    const events = sseEvents(body);
    const snapshot = await nextEvent(events, "snapshot");
    expect(raw.startsWith("retry: 2000\n\n")).toBe(true);
    if (snapshot.type !== "snapshot") throw new Error("unreachable");
    expect(snapshot.carriers.map((carrier) => carrier.health.carrierId).sort()).toEqual([...CARRIERS].sort());
    expect(snapshot.carriers.every((carrier) => carrier.health.status === "healthy")).toBe(true);
    expect(snapshot.retentionMs).toBe(3_600_000);
    expect(health.listenerCount).toBe(listenersBefore + 1);

    await harness.client.setProviderEnabled({ providerId: "plivo", enabled: false, reason: "test" });
    try {
      const change = await nextEvent(events, "health");
      expect(change).toMatchObject({ type: "health", health: { carrierId: "plivo", status: "disabled", trafficWeight: 0 } });
    } finally {
      await harness.client.setProviderEnabled({ providerId: "plivo", enabled: true, reason: "test over" });
    }

    answer.body.destroy();
    await vi.waitFor(() => expect(health.listenerCount).toBe(listenersBefore));
  });
});

describe("status feed", () => {
  function monitor(): HealthMonitor {
    const now = () => Date.now();
    return new HealthMonitor({ carriers: CARRIERS.map((carrierId) => ({ carrierId, enabled: true })), windowMs: 60_000, slowStart: new SlowStart(0, now), now });
  }

  async function serve(feed: StatusFeed): Promise<{ server: Server; url: string }> {
    const server = createServer((incoming, response) => feed.serve(incoming, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events` };
  }

  it("refuses streams beyond its limit with 503 and takes them again once one closes", async () => {
    const health = monitor();
    const feed = new StatusFeed({ health, counts: () => Promise.reject(new Error("no db")), now: Date.now, logger: silentLogger(), maxStreams: 2 });
    const { server, url } = await serve(feed);
    try {
      const first = await request(url);
      const second = await request(url);
      const third = await request(url);
      expect([first.statusCode, second.statusCode, third.statusCode]).toEqual([200, 200, 503]);
      await third.body.dump();
      expect(health.listenerCount).toBe(2);
      first.body.destroy();
      await vi.waitFor(() => expect(feed.streamCount).toBe(1));
      const again = await request(url);
      expect(again.statusCode).toBe(200);
      again.body.destroy();
      second.body.destroy();
      await vi.waitFor(() => expect(health.listenerCount).toBe(0));
    } finally {
      feed.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("samples each interval's error rate and latency percentiles, and order counts, into the stream and the history", async () => {
    const health = monitor();
    let totals = new Map<string, CarrierTotals>();
    let scrape = "";
    const bucketLines = (carrier: string, counts: readonly number[]): string =>
      [0.01, 0.1, 1, Number.POSITIVE_INFINITY]
        .map((le, index) => `numbergate_carrier_call_duration_bucket{carrier="${carrier}",operation="search",outcome="success",le="${Number.isFinite(le) ? le : "+Inf"}"} ${counts[index] ?? 0}`)
        .join("\n");
    scrape = bucketLines("twilio", [5, 5, 5, 5]);
    const feed = new StatusFeed({
      health,
      carrierCalls: async () => ({ scrape, totals }),
      counts: async () => ({ numberOrders: { in_doubt: 2, pending: 1 }, portingOrders: { pending: 3, submitted: 1, completed: 9 } }),
      now: Date.now,
      logger: silentLogger(),
    });
    await feed.sample(); // the baseline
    const { server, url } = await serve(feed);
    try {
      const answer = await request(url);
      const events = sseEvents(answer.body as AsyncIterable<Buffer>);
      await nextEvent(events, "snapshot");
      // 4 more attempts in the interval, 1 of them failed.
      totals = new Map([["twilio", { ...NO_TOTALS, attempts: 4, failedAttempts: 1 }]]);
      // 10 more attempts in the interval, all between 10 ms and 100 ms.
      scrape = bucketLines("twilio", [5, 15, 15, 15]);
      await feed.sample();
      const sample = await nextEvent(events, "sample");
      if (sample.type !== "sample") throw new Error("unreachable");
      const twilio = sample.carriers.find((carrier) => carrier.carrierId === "twilio")?.sample;
      expect(twilio).toMatchObject({ requests: 4, errorRate: 25 });
      expect(twilio?.p50Ms).toBeCloseTo(55, 5);
      expect(twilio?.p99Ms).toBeCloseTo(99.1, 5);
      expect(sample.carriers.find((carrier) => carrier.carrierId === "vonage")?.sample).toMatchObject({ requests: 0, errorRate: null, p50Ms: null });
      expect(sample.orders).toMatchObject({ inDoubt: 2, portsPending: 3, portsOpen: 4 });
      expect(feed.history.carrierSamples("twilio", Date.now())).toHaveLength(1);
      answer.body.destroy();
    } finally {
      feed.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it("keeps an hour of samples in bounded rings", () => {
    const ring = new RingBuffer<number>(3);
    for (let value = 1; value <= 5; value += 1) ring.push(value);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.latest()).toBe(5);
    const history = new StatusHistory({ retentionMs: 3_600_000, sampleIntervalMs: 5_000 });
    expect(history.capacity).toBe(720);
    for (let index = 0; index < 1000; index += 1) history.recordCarrier("twilio", { at: index * 5_000, requests: 1, errorRate: 0, p50Ms: 1, p99Ms: 1 });
    const samples = history.carrierSamples("twilio", 999 * 5_000);
    expect(samples).toHaveLength(720);
    expect(samples[0]?.at).toBe(280 * 5_000);
  });

  it("estimates percentiles from Prometheus buckets the way histogram_quantile does", () => {
    const parsed = parseCarrierHistograms(
      [
        '# HELP numbergate_carrier_call_duration x',
        'numbergate_carrier_call_duration_bucket{carrier="telnyx",operation="search",outcome="success",le="0.1"} 8',
        'numbergate_carrier_call_duration_bucket{carrier="telnyx",operation="search",outcome="success",le="+Inf"} 10',
        'numbergate_carrier_call_duration_bucket{carrier="telnyx",operation="purchase",outcome="failure",error_type="timeout",le="0.1"} 0',
        'numbergate_carrier_call_duration_bucket{carrier="telnyx",operation="purchase",outcome="failure",error_type="timeout",le="+Inf"} 2',
      ].join("\n"),
    );
    const telnyx = parsed.get("telnyx");
    expect(telnyx ? [...telnyx.entries()] : []).toEqual([
      [0.1, 8],
      [Number.POSITIVE_INFINITY, 12],
    ]);
    expect(telnyx && histogramQuantileMs(telnyx, 0.5)).toBeCloseTo(75, 5);
    expect(telnyx && histogramQuantileMs(telnyx, 0.99)).toBe(100);
    expect(histogramQuantileMs(new Map(), 0.5)).toBeNull();
  });
});
