import { z } from "zod";

/** Bandwidth's port-in ProcessingStatus values that the emulated (non-draft, non-toll-free) port-ins go through. */
export const PORT_IN_STATUSES = ["PENDING_DOCUMENTS", "SUBMITTED", "FOC", "REQUESTED_SUPP", "EXCEPTION", "REQUESTED_CANCEL", "CANCELLED", "COMPLETE"] as const;
export type PortInStatus = (typeof PORT_IN_STATUSES)[number];

const text = z.string().optional();

const draftSchema = z.object({
  siteId: text,
  peerId: text,
  billingTelephoneNumber: text,
  newBillingTelephoneNumber: text,
  subscriber: z
    .object({ subscriberType: text, businessName: text, firstName: text, middleInitial: text, lastName: text, serviceAddress: z.record(z.string(), z.string()).optional() })
    .optional(),
  loaAuthorizingPerson: text,
  phoneNumbers: z.array(z.string()).readonly(),
  wirelessInfo: z.object({ accountNumber: text, pinNumber: text }).optional(),
  customerOrderId: text,
  requestedFocDate: text,
  partialPort: text,
  triggered: text,
  processingStatus: text,
});

/**
 * A port-in as the emulated back office holds it, and as the emulator's saved state keeps it (see
 * bandwidth-emulator-state.ts): what was asked, where it stands, its documents (names and types, not contents) and
 * its history.
 */
export const portInRecordSchema = z.object({
  id: z.string(),
  draft: draftSchema,
  losingCarrierSpid: z.string(),
  focDate: z.string(),
  status: z.enum(PORT_IN_STATUSES),
  /** GETs of the order since its last status change (the back office moves it after enough of them). */
  polls: z.number().int().nonnegative(),
  documents: z.array(z.object({ fileName: z.string(), documentType: z.enum(["LOA", "INVOICE", "CSR", "OTHER"]) })),
  /** The losing carrier's rejection while in EXCEPTION. */
  error: z.object({ code: z.string(), description: z.string() }).optional(),
  history: z.array(z.object({ at: z.string(), status: z.enum(PORT_IN_STATUSES), note: z.string(), author: z.string() })),
  createdAt: z.string(),
  lastModifiedAt: z.string(),
  lastModifiedBy: z.string(),
});

export type EmulatedPortIn = z.infer<typeof portInRecordSchema>;
export type PortInDocumentType = EmulatedPortIn["documents"][number]["documentType"];
