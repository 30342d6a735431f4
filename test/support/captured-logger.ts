import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/telemetry/logger.js";

/** A logger at every level that keeps what it writes, for tests about what reaches the log. */
export function capturedLogger(): { readonly logger: Logger; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: createLogger("trace", destination), text: () => lines.join("") };
}
