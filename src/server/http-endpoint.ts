import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CarrierNotification } from "../domain/carrier-lifecycle.js";
import type { Logger } from "../telemetry/logger.js";
import { PROMETHEUS_CONTENT_TYPE } from "../telemetry/metrics.js";
import type { StatusPageRoutes } from "./status-page/status-page.js";

/** Carrier notifications are a few kilobytes; anything much bigger is not one. */
const MAX_BODY_BYTES = 256 * 1024;
/** Connections at once: carriers send one notification per change, so this is far above any real need. */
const MAX_CONNECTIONS = 512;
const CALLBACK_PATH = /^\/callbacks\/([a-z0-9_-]{1,40})\/porting$/;
/** A carrier sends a notification in one go: a client slower than this (headers, or the whole request) is cut off. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export interface CallbackReceiver {
  (carrierId: string, notification: CarrierNotification): Promise<{ readonly status: number; readonly reason: string }>;
}

/** Whether this replica should get traffic, and what each check found (for the operator reading /readyz). */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

export interface HttpEndpointOptions {
  /** host:port; port 0 picks a free one. */
  readonly address: string;
  /** Where carriers reach this port from outside; the URL they signed is this base plus the request path. */
  readonly publicUrl: (port: number) => string;
  readonly readiness: () => Promise<Readiness>;
  /** GET /metrics: the Prometheus text format; without it, /metrics is 404. */
  readonly metrics?: () => Promise<string>;
  /** GET / (the on-call status page) and GET /events (its live feed); without it, both are 404. */
  readonly statusPage?: StatusPageRoutes;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface HttpEndpoint {
  readonly port: number;
  /** The base URL carriers use (NUMBERGATE_PUBLIC_URL, or this port's own address). */
  readonly publicUrl: string;
  /** Porting starts after the port is open: until it hands over its receiver, callbacks are answered 503. */
  takePortingCallbacks(receiver: CallbackReceiver): void;
  close(): Promise<void>;
}

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return headers;
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function answer(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  response.end(status === 204 ? undefined : `${message}\n`);
}

function answerJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  response.end(`${JSON.stringify(body)}\n`);
}

/**
 * numbergate's HTTP port: the carriers' porting callbacks (POST /callbacks/<carrier>/porting), each handed, raw,
 * to the carrier's adapter to verify as that carrier signs it (nothing here trusts a header); and the probes an
 * orchestrator or load balancer asks: GET /healthz (the process serves) and GET /readyz (it should get traffic); and
 * GET /metrics, the Prometheus scrape; and the status page, GET / with its server-sent events at GET /events.
 */
export async function startHttpEndpoint(options: HttpEndpointOptions): Promise<HttpEndpoint> {
  let publicUrl = "";
  let receivePortingCallback: CallbackReceiver | undefined;
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.logger.error({ err: error }, "HTTP request failed");
      answer(response, 500, "internal error");
    });
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (path === "/healthz" || path === "/readyz") {
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.setHeader("allow", "GET, HEAD");
        return answer(response, 405, "method not allowed");
      }
      if (path === "/healthz") return answerJson(response, 200, { status: "serving" });
      const readiness = await options.readiness();
      return answerJson(response, readiness.ready ? 200 : 503, { status: readiness.ready ? "ready" : "not ready", checks: readiness.checks });
    }
    if (path === "/metrics" && options.metrics) {
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.setHeader("allow", "GET, HEAD");
        return answer(response, 405, "method not allowed");
      }
      const text = await options.metrics();
      response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : text);
      return;
    }
    const statusPage = options.statusPage;
    if ((path === "/" || path === "/events") && statusPage) {
      const allowed = path === "/" ? ["GET", "HEAD"] : ["GET"];
      if (!allowed.includes(request.method ?? "")) {
        response.setHeader("allow", allowed.join(", "));
        return answer(response, 405, "method not allowed");
      }
      return path === "/" ? statusPage.page(request, response) : statusPage.events(request, response);
    }
    const match = CALLBACK_PATH.exec(path);
    if (!match) return answer(response, 404, "not found");
    if (request.method !== "POST") {
      response.setHeader("allow", "POST");
      return answer(response, 405, "method not allowed");
    }
    const body = await readBody(request);
    if (body === undefined) return answer(response, 413, "body too large");
    // Carriers retry a notification that is not taken; polling catches up on anything lost meanwhile.
    if (!receivePortingCallback) return answer(response, 503, "starting");
    const result = await receivePortingCallback(match[1] ?? "", {
      method: request.method,
      url: `${publicUrl}${request.url ?? path}`,
      headers: headersOf(request),
      body,
      receivedAt: options.now(),
    });
    answer(response, result.status, result.reason);
  }
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const separator = options.address.lastIndexOf(":");
  const host = options.address.slice(0, separator).replace(/^\[|\]$/g, "");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(options.address.slice(separator + 1)), host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  publicUrl = options.publicUrl(port);
  return {
    port,
    publicUrl,
    takePortingCallbacks: (receiver) => {
      receivePortingCallback = receiver;
    },
    close: () =>
      new Promise<void>((resolve) => {
        options.statusPage?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
