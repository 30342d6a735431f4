import { describe, expect, it } from "vitest";
import { checkPlaceName, FieldViolations } from "../../src/server/validation/field-checks.js";

describe("checkPlaceName", () => {
  it.each(["O\u2019Brien & Sons (Ltd.)", "O'Brien", "Ærøskøbing", "São Paulo", "Saint-Étienne, 2e"])("accepts %s as it is, trimmed", (name) => {
    const violations = new FieldViolations();
    expect(checkPlaceName(violations, "city", `  ${name} `, 64)).toBe(name);
    expect(violations.isEmpty).toBe(true);
  });

  it.each(["New\u0000York", "tab\there", "emoji \u{1F600}", "quote \u201Cx\u201D", "semi;colon"])("refuses %j, naming the field", (name) => {
    const violations = new FieldViolations();
    expect(checkPlaceName(violations, "city", name, 64)).toBeUndefined();
    expect(() => violations.throwIfAny()).toThrow(/only letters/);
  });
});
