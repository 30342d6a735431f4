import { setLogger } from "@grpc/grpc-js";
import { format } from "node:util";
import type { Logger } from "./logger.js";

/**
 * grpc-js writes its own diagnostics straight to stderr ("E No address added ..."), outside the structured log
 * and next to the one line numbergate prints when start-up fails. Route them into the log instead: its errors
 * at warn (numbergate reports the failures that matter itself), the rest at debug.
 */
export function routeGrpcLogsTo(logger: Logger): void {
  setLogger({
    error: (...args: unknown[]) => logger.warn({ source: "grpc-js" }, format(...args)),
    info: (...args: unknown[]) => logger.debug({ source: "grpc-js" }, format(...args)),
    debug: (...args: unknown[]) => logger.debug({ source: "grpc-js" }, format(...args)),
  });
}
