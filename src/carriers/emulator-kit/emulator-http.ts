import type { IncomingMessage, ServerResponse } from "node:http";

// The request and response shapes, and the helpers, that every emulator's routes use.

export interface EmulatorRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface EmulatorRoute {
  readonly method: string;
  readonly pattern: RegExp;
  handle(request: EmulatorRequest, match: RegExpExecArray): EmulatorResponse;
}

export function send(outgoing: ServerResponse, response: EmulatorResponse): void {
  outgoing.writeHead(response.status, response.headers);
  outgoing.end(response.body ?? "");
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

export function xml(status: number, body: string, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, headers: { "content-type": "application/xml; charset=utf-8", ...headers }, body };
}

/** Whether a request's Basic credentials are exactly these. */
export function hasBasicCredentials(request: EmulatorRequest, username: string, password: string): boolean {
  const header = request.headers.authorization;
  if (!header?.startsWith("Basic ")) return false;
  return Buffer.from(header.slice(6), "base64").toString("utf8") === `${username}:${password}`;
}
