import { TelecomServiceDefinition } from "../../../generated/numbergate/v1/telecom_service.js";
import type { Role } from "./access-file.js";

type MethodName = keyof typeof TelecomServiceDefinition.methods;

/**
 * The role each RPC takes. A Record over the service's methods: an RPC added to the contract does not compile
 * until it is given one. Reads are reader; anything that holds, buys, releases or ports a number is buyer;
 * operating carriers, inventory and reading the audit log is admin.
 */
const ROLE_OF_METHOD: Record<MethodName, Role> = {
  searchNumbers: "reader",
  checkNumberAvailability: "reader",
  reserveNumber: "buyer",
  getReservation: "reader",
  cancelReservation: "buyer",
  purchaseNumber: "buyer",
  batchPurchaseNumbers: "buyer",
  getNumberOrder: "reader",
  listNumberOrders: "reader",
  releaseNumber: "buyer",
  listNumbers: "reader",
  checkPortability: "reader",
  createPortingOrder: "buyer",
  getPortingOrder: "reader",
  listPortingOrders: "reader",
  attachPortingDocument: "buyer",
  resubmitPortingOrder: "buyer",
  cancelPortingOrder: "buyer",
  watchPortingOrder: "reader",
  listProviders: "reader",
  getProviderHealth: "reader",
  getProviderMetrics: "reader",
  watchProviderHealth: "reader",
  setProviderEnabled: "admin",
  reconcileInventory: "admin",
  listInventoryDrifts: "admin",
  resolveInventoryDrift: "admin",
  listAuditEvents: "admin",
};

const ROLE_OF_PATH: ReadonlyMap<string, Role> = new Map(
  (Object.keys(ROLE_OF_METHOD) as MethodName[]).map((method) => [`/${TelecomServiceDefinition.fullName}/${TelecomServiceDefinition.methods[method].name}`, ROLE_OF_METHOD[method]]),
);

/** The role a TelecomService call takes, by its path; undefined for a path outside the service. */
export function requiredRole(path: string): Role | undefined {
  return ROLE_OF_PATH.get(path);
}
