/** Every kind of carrier call, each with its own timeout and retry rule. */
export type CarrierOperation =
  | "search"
  | "check_availability"
  | "probe"
  | "reserve"
  | "cancel_reservation"
  | "purchase"
  | "order_status"
  | "release"
  | "list_owned"
  | "portability"
  | "port_in"
  | "port_in_status";

export const ALL_OPERATIONS: readonly CarrierOperation[] = [
  "search",
  "check_availability",
  "probe",
  "reserve",
  "cancel_reservation",
  "purchase",
  "order_status",
  "release",
  "list_owned",
  "portability",
  "port_in",
  "port_in_status",
];
