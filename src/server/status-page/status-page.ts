import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StatusFeed } from "./status-feed.js";
import { PROJECT_ROOT } from "../../project-root.js";

/** The page's one file: inline CSS and script, no external asset. */
export const STATUS_PAGE_FILE = new URL("src/server/status-page/status-page.html", PROJECT_ROOT);

export interface StatusPageDocument {
  readonly html: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

function sha256Sources(html: string, tag: "script" | "style"): string[] {
  const pattern = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g");
  return [...html.matchAll(pattern)].map((match) => `'sha256-${createHash("sha256").update(match[1] ?? "", "utf8").digest("base64")}'`);
}

/**
 * The status page and the headers it is served with. The CSP allows this page's own inline script and style by
 * their hashes (computed here from the file, so they never drift from it), nothing else inline, and no origin
 * but this one for the event stream: an injected tag or attribute would not run.
 */
export function loadStatusPage(file: URL = STATUS_PAGE_FILE): StatusPageDocument {
  const text = readFileSync(file, "utf8");
  const policy = [
    "default-src 'none'",
    `script-src ${sha256Sources(text, "script").join(" ")}`,
    `style-src ${sha256Sources(text, "style").join(" ")}`,
    "connect-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    html: Buffer.from(text, "utf8"),
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": policy,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "x-frame-options": "DENY",
    },
  };
}

/** GET / (the page) and GET /events (its live feed), as the HTTP port serves them. */
export interface StatusPageRoutes {
  page(request: IncomingMessage, response: ServerResponse): void;
  events(request: IncomingMessage, response: ServerResponse): void;
  close(): void;
}

export function statusPageRoutes(feed: StatusFeed, document: StatusPageDocument = loadStatusPage()): StatusPageRoutes {
  return {
    page: (request, response) => {
      response.writeHead(200, { ...document.headers, "content-length": String(document.html.length) });
      response.end(request.method === "HEAD" ? undefined : document.html);
    },
    events: (request, response) => feed.serve(request, response),
    close: () => feed.close(),
  };
}
