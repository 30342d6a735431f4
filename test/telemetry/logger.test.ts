import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, defaultLogDestination } from "../../src/telemetry/logger.js";

describe("the log's format", () => {
  it("is JSON unless a person watches a terminal", () => {
    expect(defaultLogDestination(false)).toBeUndefined();
  });

  it("is readable lines on a terminal, redacted as the JSON is", () => {
    let written = "";
    const terminal = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString("utf8");
        done();
      },
    });
    const logger = createLogger("info", defaultLogDestination(true, terminal));
    logger.info({ rpc: "/numbergate.v1.TelecomService/SearchNumbers", pin: "8642", request: { accountNumber: "ACCT-77" } }, "rpc");
    expect(written).toMatch(/INFO.*rpc/);
    expect(written.trimStart().startsWith("{")).toBe(false);
    expect(written).toContain("[redacted]");
    expect(written).not.toContain("8642");
    expect(written).not.toContain("ACCT-77");
  });
});
