import type { EmulatedPortingOrder } from "./telnyx-emulator-porting-model.js";
import { stableUuid } from "./telnyx-emulator-porting-model.js";

/**
 * What a US/CA port-in needs before Telnyx submits it, as requirement types (PortingOrderRequirementDetail): the
 * LOA and the latest invoice (documents), the end user as the losing carrier's CSR knows them, the requested FOC date
 * and the port type. Each is also where a PATCH `requirements[]` entry writes its `field_value` (the same field the
 * named body field sets), so the two ways of fulfilling a requirement cannot disagree.
 */
export interface PortingRequirement {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly example: string;
  readonly fieldType: "document" | "textual";
  /** Where the value sits in an UpdatePortingOrder body (and in the order). */
  readonly path: readonly [string, ...string[]];
}

function requirement(name: string, description: string, example: string, fieldType: PortingRequirement["fieldType"], path: PortingRequirement["path"]): PortingRequirement {
  return { id: stableUuid(`telnyx-emulator porting requirement ${path.join(".")}`), name, description, example, fieldType, path };
}

export const PORTING_REQUIREMENTS: readonly PortingRequirement[] = [
  requirement("Letter of Authorization", "A signed LOA authorizing Telnyx to port the numbers", "Signed LOA (document id)", "document", ["documents", "loa"]),
  requirement("Latest Invoice", "A copy of the latest phone bill from the current provider", "Most recent phone bill (document id)", "document", ["documents", "invoice"]),
  requirement("Entity name", "Person or company name on the account with the current provider", "Porter McPortersen", "textual", ["end_user", "admin", "entity_name"]),
  requirement("Authorized person", "Name of the person authorizing the port", "Porter McPortersen II", "textual", ["end_user", "admin", "auth_person_name"]),
  requirement("Account number", "The account number with the current provider", "123abc", "textual", ["end_user", "admin", "account_number"]),
  requirement("Billing telephone number", "The billing telephone number of the account", "+13035551234", "textual", ["end_user", "admin", "billing_phone_number"]),
  requirement("Street address", "First line of the service address", "600 Congress Avenue", "textual", ["end_user", "location", "street_address"]),
  requirement("Locality", "City of the service address", "Austin", "textual", ["end_user", "location", "locality"]),
  requirement("Administrative area", "State or province of the service address", "TX", "textual", ["end_user", "location", "administrative_area"]),
  requirement("Postal code", "Postal code of the service address", "78701", "textual", ["end_user", "location", "postal_code"]),
  requirement("Country code", "ISO 3166-1 alpha-2 country of the service address", "US", "textual", ["end_user", "location", "country_code"]),
  requirement("Requested FOC date", "The date and time the port should complete (ISO 8601)", "2026-12-01T15:00:00Z", "textual", ["activation_settings", "foc_datetime_requested"]),
  requirement("Port type", "Whether every number on the account is ported (full) or some stay (partial)", "full", "textual", ["misc", "type"]),
];

/** The order's editable values laid out as an UpdatePortingOrder body, for reading a requirement's path. */
function editableView(order: EmulatedPortingOrder): Record<string, unknown> {
  return {
    documents: order.documents,
    end_user: { admin: order.admin, location: order.location },
    activation_settings: { foc_datetime_requested: order.focDatetimeRequested },
    misc: order.misc,
  };
}

export function requirementValue(order: EmulatedPortingOrder, definition: PortingRequirement): string | undefined {
  let node: unknown = editableView(order);
  for (const key of definition.path) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return typeof node === "string" && node.trim() !== "" ? node : undefined;
}

export function missingRequirements(order: EmulatedPortingOrder): PortingRequirement[] {
  return PORTING_REQUIREMENTS.filter((definition) => requirementValue(order, definition) === undefined);
}

/** PortingOrderRequirementDetail: a met requirement is `approved`, a missing one `requirement-info-pending`. */
export function describeRequirement(order: EmulatedPortingOrder, definition: PortingRequirement): Record<string, unknown> {
  const value = requirementValue(order, definition);
  return {
    record_type: "porting_requirement",
    field_type: definition.fieldType,
    ...(value === undefined ? {} : { field_value: value }),
    requirement_status: value === undefined ? "requirement-info-pending" : "approved",
    requirement_type: {
      id: definition.id,
      name: definition.name,
      description: definition.description,
      example: definition.example,
      type: definition.fieldType,
      acceptance_criteria: definition.fieldType === "document" ? { acceptable_values: [] } : {},
    },
  };
}

/** Turns `requirements[]` entries into the body fields they stand for; the index of an unknown type when there is one. */
export function requirementsAsFields(entries: readonly { readonly requirement_type_id: string; readonly field_value: string }[]): { ok: true; fields: Record<string, unknown> } | { ok: false; index: number } {
  const fields: Record<string, unknown> = {};
  for (const [index, entry] of entries.entries()) {
    const definition = PORTING_REQUIREMENTS.find((candidate) => candidate.id === entry.requirement_type_id);
    if (!definition) return { ok: false, index };
    let node = fields;
    for (const key of definition.path.slice(0, -1)) {
      const child = node[key];
      node = typeof child === "object" && child !== null ? (child as Record<string, unknown>) : (node[key] = {});
    }
    node[definition.path[definition.path.length - 1] ?? ""] = entry.field_value;
  }
  return { ok: true, fields };
}
