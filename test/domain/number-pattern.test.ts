import { describe, expect, it } from "vitest";
import { nationalNumberMatches, parseNumberPattern } from "../../src/domain/number-pattern.js";

describe("parseNumberPattern", () => {
  it.each([
    ["*1234", { position: "ends_with", digits: "1234" }],
    ["212555*", { position: "starts_with", digits: "212555" }],
    ["*555*", { position: "contains", digits: "555" }],
    ["555", { position: "contains", digits: "555" }],
  ])("%s", (raw, pattern) => {
    expect(parseNumberPattern(raw)).toEqual({ ok: true, pattern });
  });

  it.each(["12*34", "**12", "*12a", "+1212", "*1", "", "*".repeat(3), "1".repeat(17)])("rejects %s", (raw) => {
    expect(parseNumberPattern(raw).ok).toBe(false);
  });

  it("matches national numbers", () => {
    expect(nationalNumberMatches("2125551234", { position: "ends_with", digits: "1234" })).toBe(true);
    expect(nationalNumberMatches("2125551234", { position: "starts_with", digits: "1234" })).toBe(false);
    expect(nationalNumberMatches("2125551234", { position: "contains", digits: "555" })).toBe(true);
  });
});
