import { Pool, type Dispatcher } from "undici";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierId } from "../../domain/numbers.js";
import { inHttpClientSpan } from "../../telemetry/http-client-spans.js";
import { classifyTransportError, isAbortError } from "./transport-error.js";

export interface CarrierHttpClientOptions {
  readonly carrierId: CarrierId;
  /** Origin plus an optional path prefix, for example https://dashboard.bandwidth.com/api. */
  readonly baseUrl: URL;
  /** The full Authorization header value. */
  readonly authorization: string;
  /** Keep-alive connections per origin. Defaults to 16. */
  readonly connections?: number;
  /** Replaces the pool (tests inject a MockAgent or an Agent with short keep-alive). */
  readonly dispatcher?: Dispatcher;
}

export interface CarrierHttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the base URL, starting with "/". */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: string | Uint8Array;
  readonly contentType?: string;
  readonly accept?: string;
  readonly operation: string;
  readonly signal?: AbortSignal;
}

export interface CarrierHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bodyText: string;
}

const USER_AGENT = "numbergate/0.1 (+undici)";

/** One keep-alive pool per carrier origin; every adapter request goes through here. */
export class CarrierHttpClient {
  readonly #options: CarrierHttpClientOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #pathPrefix: string;

  constructor(options: CarrierHttpClientOptions) {
    this.#options = options;
    this.#pathPrefix = options.baseUrl.pathname.replace(/\/+$/, "");
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new Pool(options.baseUrl.origin, {
        connections: options.connections ?? 16,
        keepAliveTimeout: 30_000,
        // The pipeline's timeout owns call deadlines; these only stop a socket from hanging forever.
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      });
  }

  get baseUrl(): URL {
    return this.#options.baseUrl;
  }

  async request(request: CarrierHttpRequest): Promise<CarrierHttpResponse> {
    const { carrierId } = this.#options;
    const path = this.#pathPrefix + request.path + encodeQuery(request.query);
    const headers: Record<string, string> = {
      authorization: this.#options.authorization,
      "user-agent": USER_AGENT,
      accept: request.accept ?? "application/json",
    };
    if (request.contentType) headers["content-type"] = request.contentType;
    try {
      return await inHttpClientSpan({ method: request.method, origin: this.#options.baseUrl }, async () => {
        const response = await this.#dispatcher.request({
          origin: this.#options.baseUrl.origin,
          path,
          method: request.method,
          headers,
          body: request.body,
          signal: request.signal,
        });
        const bodyText = await response.body.text();
        return { status: response.statusCode, headers: response.headers, bodyText };
      });
    } catch (error) {
      if (isAbortError(error) || request.signal?.aborted) throw request.signal?.reason ?? error;
      const classified = classifyTransportError(error, carrierId, request.operation);
      if (classified) throw classified;
      throw new CarrierError({
        kind: "network",
        carrierId,
        operation: request.operation,
        message: `request to ${carrierId} failed`,
        requestMayHaveReachedCarrier: true,
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}

function encodeQuery(query: CarrierHttpRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Reads a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
