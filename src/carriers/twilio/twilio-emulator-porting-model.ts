import { z } from "zod";

/**
 * The port-in records of the Twilio emulator (Numbers v1 Porting, twilio.md "Porting"), their statuses, and the shape
 * they are saved in. Statuses are written as Twilio's sources write them: the request statuses as the spec's
 * `port_in_request_status` description lists them ("In progress, Completed, Expired, In review, Waiting for
 * Signature, Action Required, and Canceled"), the phone number statuses in the "In Review" form of the spec's PortIn
 * example, one per porting webhook event of the number (PortInPhoneNumberWaitingForSignature, ...Submitted,
 * ...Pending, ...Completed, ...Rejected, ...Canceled).
 */
export const PORT_IN_REQUEST_STATUS = {
  inReview: "In review",
  waitingForSignature: "Waiting for Signature",
  inProgress: "In progress",
  actionRequired: "Action Required",
  completed: "Completed",
  canceled: "Canceled",
} as const;
export type PortInRequestStatus = (typeof PORT_IN_REQUEST_STATUS)[keyof typeof PORT_IN_REQUEST_STATUS];

export const PORT_IN_NUMBER_STATUS = {
  inReview: "In Review",
  waitingForSignature: "Waiting for Signature",
  submitted: "Submitted",
  pending: "Pending",
  completed: "Completed",
  rejected: "Rejected",
  canceled: "Canceled",
} as const;
export type PortInNumberStatus = (typeof PORT_IN_NUMBER_STATUS)[keyof typeof PORT_IN_NUMBER_STATUS];

/** Statuses after which a number no longer moves by itself (a rejected one waits for the customer). */
export const SETTLED_NUMBER_STATUSES: ReadonlySet<PortInNumberStatus> = new Set(["Completed", "Rejected", "Canceled"]);

/** The number types of the Portability resource (`porting_portability_enum_number_type`). */
export type PortabilityNumberType = "LOCAL" | "UNKNOWN" | "MOBILE" | "TOLL-FREE";

const numberStatusSchema = z.enum(["In Review", "Waiting for Signature", "Submitted", "Pending", "Completed", "Rejected", "Canceled"]);
const requestStatusSchema = z.enum(["In review", "Waiting for Signature", "In progress", "Action Required", "Completed", "Canceled"]);

const portInNumberSchema = z.object({
  sid: z.string().regex(/^PU[0-9a-f]{32}$/),
  phoneNumber: z.string(),
  numberType: z.enum(["LOCAL", "UNKNOWN", "MOBILE", "TOLL-FREE"]),
  pin: z.string().nullable(),
  status: numberStatusSchema,
  /** When the number entered its status (ms since the epoch): the next step is timed from it. */
  statusSince: z.number(),
  /** The confirmed port date (FOC), once the losing carrier accepted the port. */
  portDate: z.number().nullable(),
  rejectionReason: z.string().nullable(),
  dateCreated: z.number(),
});
export type PortInNumberRecord = z.infer<typeof portInNumberSchema>;

const portInRequestSchema = z.object({
  sid: z.string().regex(/^KW[0-9a-f]{32}$/),
  accountSid: z.string(),
  supportTicketId: z.number().int(),
  status: requestStatusSchema,
  statusSince: z.number(),
  dateCreated: z.number(),
  orderCancellationReason: z.string().nullable(),
  /** The create body's fields echoed in every answer (losing carrier information, documents, dates...), as sent. */
  echoed: z.record(z.string(), z.unknown()),
  /** The earliest moment the customer asked the port to happen (target date and time range start), if any. */
  targetPortTime: z.number().nullable(),
  numbers: z.array(portInNumberSchema),
});
export type PortInRequestRecord = z.infer<typeof portInRequestSchema>;

const webhookConfigurationSchema = z.object({
  portInTargetUrl: z.string().nullable(),
  portOutTargetUrl: z.string().nullable(),
  notificationsOf: z.array(z.string()),
  portInDateCreated: z.number().nullable(),
  portOutDateCreated: z.number().nullable(),
});
export type PortingWebhookConfiguration = z.infer<typeof webhookConfigurationSchema>;

/** What the porting part of the Twilio emulator saves: every port-in request and the webhook configuration. */
export const portingSavedStateSchema = z.object({
  requests: z.array(portInRequestSchema),
  webhook: webhookConfigurationSchema.nullable(),
  nextSupportTicketId: z.number().int(),
});
export type PortingSavedState = z.infer<typeof portingSavedStateSchema>;

/**
 * The request's status follows its numbers (Twilio's webhook table: PortInCompleted when "all phone numbers ... have
 * been canceled or successfully ported", PortInCanceled when all were canceled, PortInActionRequired when "a phone
 * number has been rejected by the losing carrier"); In progress once the LOA is signed and the numbers are submitted.
 */
export function requestStatusOf(numbers: readonly PortInNumberRecord[]): PortInRequestStatus {
  const statuses = numbers.map((number) => number.status);
  if (statuses.every((status) => status === "Canceled")) return PORT_IN_REQUEST_STATUS.canceled;
  if (statuses.every((status) => status === "Completed" || status === "Canceled")) return PORT_IN_REQUEST_STATUS.completed;
  if (statuses.includes("Rejected")) return PORT_IN_REQUEST_STATUS.actionRequired;
  if (statuses.includes("In Review")) return PORT_IN_REQUEST_STATUS.inReview;
  if (statuses.includes("Waiting for Signature")) return PORT_IN_REQUEST_STATUS.waitingForSignature;
  return PORT_IN_REQUEST_STATUS.inProgress;
}

/** Statuses in which a request is still moving: its numbers count as "being ported into your Twilio account". */
export function isActive(number: PortInNumberRecord): boolean {
  return !SETTLED_NUMBER_STATUSES.has(number.status);
}

/** ISO 8601 without milliseconds, as Numbers v1 writes timestamps ("2023-09-10T06:52:21Z"). */
export function isoTimestamp(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}
