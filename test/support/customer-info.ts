import type { CustomerInfo } from "../../generated/numbergate/v1/common.js";
import { maskEmail } from "../../src/server/lifecycle-mapping.js";

/** customer_info as responses carry it: the e-mail masked (it is write-only). */
export function asShown(info: CustomerInfo): CustomerInfo {
  return { ...info, email: maskEmail(info.email) };
}
