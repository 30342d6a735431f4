import { TYPE_URL_PREFIX } from "./any-values.js";
import { type ConfigPath, isRecord } from "./problems.js";

/** A value found in the config, with the path it sits at. */
export interface Located<T> {
  readonly value: T;
  readonly path: ConfigPath;
}

/**
 * A field of a config map by its proto name, also when written in lowerCamelCase as Envoy allows. For the
 * semantic checks, which run on configs the schema walker has already judged.
 */
export function field(parent: Located<unknown>, protoName: string): Located<unknown> | undefined {
  if (!isRecord(parent.value)) return undefined;
  const camel = protoName.replace(/_(.)/g, (_match, letter: string) => letter.toUpperCase());
  for (const key of [protoName, camel]) {
    const value = parent.value[key];
    if (value !== undefined && value !== null) return { value, path: [...parent.path, key] };
  }
  return undefined;
}

export function mapField(parent: Located<unknown>, protoName: string): Located<Record<string, unknown>> | undefined {
  const found = field(parent, protoName);
  return found !== undefined && isRecord(found.value) ? { value: found.value, path: found.path } : undefined;
}

export function listField(parent: Located<unknown>, protoName: string): Located<unknown>[] {
  const found = field(parent, protoName);
  if (found === undefined || !Array.isArray(found.value)) return [];
  return found.value.map((value: unknown, index) => ({ value, path: [...found.path, index] }));
}

export function stringField(parent: Located<unknown>, protoName: string): string | undefined {
  const found = field(parent, protoName);
  return typeof found?.value === "string" ? found.value : undefined;
}

/** The message type an Any holds (`envoy.extensions.filters.http.router.v3.Router`), if readable. */
export function anyTypeName(any: Located<unknown> | undefined): string | undefined {
  if (any === undefined || !isRecord(any.value)) return undefined;
  const typeUrl = any.value["@type"];
  return typeof typeUrl === "string" && typeUrl.startsWith(TYPE_URL_PREFIX) ? typeUrl.slice(TYPE_URL_PREFIX.length) : undefined;
}

/** A google.protobuf.Duration string in seconds, if it is one. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(-?\d+(?:\.\d{1,9})?)s$/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
