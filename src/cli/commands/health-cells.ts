import { formatPercent, formatTime, shortEnum } from "../formatting.js";
import type { ProviderHealth } from "../messages.js";
import type { Cell, StyledCell, Tone } from "../table.js";

const STATUS_TONES: Readonly<Record<string, Tone>> = { healthy: "good", degraded: "warn", unhealthy: "bad", disabled: "dim" };
const BREAKER_TONES: Readonly<Record<string, Tone>> = { closed: "good", half_open: "warn", open: "bad" };

export function statusName(status: string | undefined): string {
  return status === undefined ? "" : shortEnum(status, "PROVIDER_STATUS_");
}

export function breakerName(state: string | undefined): string {
  return state === undefined ? "" : shortEnum(state, "BREAKER_STATE_");
}

export function statusCell(status: string | undefined): StyledCell {
  const text = statusName(status);
  return { text, tone: STATUS_TONES[text] };
}

export function breakerCell(state: string | undefined): StyledCell {
  const text = breakerName(state);
  return { text, tone: BREAKER_TONES[text] };
}

export const HEALTH_HEADERS = ["CARRIER", "STATUS", "BREAKER", "WEIGHT", "UPTIME", "LAST CHECK", "LAST ERROR"] as const;

export function healthRow(health: ProviderHealth): Cell[] {
  return [
    health.providerId,
    statusCell(health.status),
    breakerCell(health.breakerState),
    formatPercent(health.trafficWeight * 100),
    formatPercent(health.uptime),
    formatTime(health.lastCheckTime),
    health.lastError,
  ];
}
