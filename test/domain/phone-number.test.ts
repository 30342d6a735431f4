import { describe, expect, it } from "vitest";
import { parsePhoneNumber } from "../../src/domain/phone-number.js";

describe("parsePhoneNumber", () => {
  it("reads E.164", () => {
    expect(parsePhoneNumber("+12125550123")).toEqual({
      ok: true,
      number: { e164: "+12125550123", countryCode: "US", callingCode: "1", nationalNumber: "2125550123", numberType: "local" },
    });
  });

  it("reads national format with a default country", () => {
    const parsed = parsePhoneNumber("(212) 555-0123", "US");
    expect(parsed.ok && parsed.number.e164).toBe("+12125550123");
  });

  it("knows toll-free numbers", () => {
    const parsed = parsePhoneNumber("+18885550123");
    expect(parsed.ok && parsed.number.numberType).toBe("toll_free");
  });

  it.each(["", "hello", "+1212555", "+999123456789", "2125550123"])("rejects %j", (input) => {
    expect(parsePhoneNumber(input).ok).toBe(false);
  });
});
