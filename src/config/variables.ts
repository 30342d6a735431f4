import { isIP } from "node:net";
import { z } from "zod";

/**
 * Schemas for environment variables as operators write them. Messages say what is expected and never echo the
 * value (it may be a secret).
 */

/** Reads "true/false/1/0/yes/no/on/off" the way operators write them. */
export function booleanVariable(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return defaultValue;
      const normalized = value.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(normalized)) return true;
      if (["false", "0", "no", "off"].includes(normalized)) return false;
      context.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });
}

export function integerVariable(defaultValue: number, { min, max, unit }: { min: number; max: number; unit?: string }) {
  const suffix = unit ? ` ${unit}` : "";
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return defaultValue;
      const parsed = Number(value.trim());
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}${suffix}` });
        return z.NEVER;
      }
      return parsed;
    });
}

/** A whole number, or undefined when unset (the caller picks a default, for instance by mode). */
export function optionalIntegerVariable({ min, max, unit }: { min: number; max: number; unit?: string }) {
  const suffix = unit ? ` ${unit}` : "";
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return undefined;
      const parsed = Number(value.trim());
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}${suffix}` });
        return z.NEVER;
      }
      return parsed;
    });
}

/** An optional string that never echoes its value in errors (it may be a secret). */
export function optionalText(pattern?: { regex: RegExp; description: string }) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return undefined;
      const trimmed = value.trim();
      if (pattern && !pattern.regex.test(trimmed)) {
        context.addIssue({ code: "custom", message: `must be ${pattern.description}` });
        return z.NEVER;
      }
      return trimmed;
    });
}

/** A base URL: https, or http only towards loopback (emulators, local proxies). */
export function baseUrlVariable(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      const raw = value === undefined || value.trim() === "" ? defaultValue : value.trim();
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        context.addIssue({ code: "custom", message: "must be an absolute URL such as https://api.example.com" });
        return z.NEVER;
      }
      if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
        context.addIssue({ code: "custom", message: "must use https (http is allowed only for loopback hosts)" });
        return z.NEVER;
      }
      if (url.username || url.password) {
        context.addIssue({ code: "custom", message: "must not carry credentials; use the carrier's credential variables" });
        return z.NEVER;
      }
      return url;
    });
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}
