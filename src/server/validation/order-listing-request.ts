import { createHash } from "node:crypto";
import { NumberOrderState, type ListNumberOrdersRequest } from "../../../generated/numbergate/v1/numbers.js";
import type { OrderListFilter } from "../../store/order-listing.js";
import type { OrderState } from "../../store/records.js";
import { decodeKeysetToken } from "../page-token.js";
import { FieldViolations, checkProviderId } from "./field-checks.js";

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

const ORDER_STATES: Partial<Record<NumberOrderState, OrderState>> = {
  [NumberOrderState.NUMBER_ORDER_STATE_PENDING]: "pending",
  [NumberOrderState.NUMBER_ORDER_STATE_COMPLETED]: "completed",
  [NumberOrderState.NUMBER_ORDER_STATE_FAILED]: "failed",
  [NumberOrderState.NUMBER_ORDER_STATE_IN_DOUBT]: "in_doubt",
  [NumberOrderState.NUMBER_ORDER_STATE_PARTIAL]: "partial",
};

export interface ValidatedOrderListing {
  readonly filter: OrderListFilter;
  /** The page-token kind of this listing with these filters: a token is only accepted with the filters it was issued for. */
  readonly tokenKind: string;
}

/** A Timestamp as epoch ms; undefined when unset or after recording a violation. */
function checkTime(violations: FieldViolations, field: string, value: Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const epochMs = value.getTime();
  if (!Number.isFinite(epochMs)) {
    violations.add(field, "is not a valid time");
    return undefined;
  }
  return epochMs;
}

/**
 * ListNumberOrders: page size (default 50, capped at 500), provider, states (any of them), a creation-time window
 * [create_time_after, create_time_before), and a page token issued for the same filters.
 */
export function validateListNumberOrders(request: ListNumberOrdersRequest, providerIds: readonly string[]): ValidatedOrderListing {
  const violations = new FieldViolations();
  if (request.pageSize < 0) violations.add("page_size", "must not be negative");
  const pageSize = request.pageSize <= 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const carrierId = request.providerId === "" ? undefined : checkProviderId(violations, "provider_id", request.providerId, providerIds);
  const states = new Set<OrderState>();
  request.states.forEach((value, index) => {
    const state = ORDER_STATES[value];
    if (state) states.add(state);
    else violations.add(`states[${index}]`, "must be PENDING, COMPLETED, FAILED, IN_DOUBT or PARTIAL");
  });
  const createdFrom = checkTime(violations, "create_time_after", request.createTimeAfter);
  const createdBefore = checkTime(violations, "create_time_before", request.createTimeBefore);
  if (createdFrom !== undefined && createdBefore !== undefined && createdFrom >= createdBefore) {
    violations.add("create_time_after", "must be before create_time_before");
  }
  const sortedStates = [...states].sort();
  const filters = JSON.stringify([carrierId ?? "", sortedStates, createdFrom ?? null, createdBefore ?? null]);
  const tokenKind = `order:${createHash("sha256").update(filters).digest("base64url").slice(0, 16)}`;
  const after = request.pageToken === "" ? undefined : decodeKeysetToken(request.pageToken, tokenKind);
  if (request.pageToken !== "" && !after) violations.add("page_token", "is not a page token this server issued for this list with these filters");
  violations.throwIfAny();
  return {
    filter: { carrierId, states: sortedStates, createdFrom, createdBefore, pageSize, after: after && { createdAt: after.at, id: after.id } },
    tokenKind,
  };
}
