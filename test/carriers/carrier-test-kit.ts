import { request, type Dispatcher } from "undici";
import { CarrierError } from "../../src/domain/carrier-error.js";
import { parsePhoneNumber, type ParsedPhoneNumber } from "../../src/domain/phone-number.js";
import { parseXml } from "../../src/carriers/kit/xml.js";

/** Helpers shared by the carrier suites: raw HTTP to an emulator, Basic credentials, parsed numbers. */

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export async function sendRaw(
  dispatcher: Dispatcher,
  url: string,
  init: { readonly method?: Dispatcher.HttpMethod; readonly headers?: Record<string, string>; readonly body?: string } = {},
): Promise<RawAnswer> {
  const answer = await request(url, { dispatcher, method: init.method ?? "GET", headers: init.headers, body: init.body });
  return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

export function phone(e164: string): ParsedPhoneNumber {
  const parsed = parsePhoneNumber(e164);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.number;
}

/** The root element of an XML answer, as plain objects. */
export function xmlOf(answer: RawAnswer, root: string): Record<string, unknown> {
  const value = parseXml(answer.body)[root];
  if (typeof value !== "object" || value === null) throw new Error(`no <${root}> in ${answer.body}`);
  return value as Record<string, unknown>;
}

/** The CarrierError a carrier call fails with; anything else (or success) fails the test. */
export async function carrierError(call: () => Promise<unknown>): Promise<CarrierError> {
  let outcome: unknown;
  try {
    await call();
  } catch (error) {
    outcome = error;
  }
  if (!CarrierError.is(outcome)) throw new Error(`expected a CarrierError, got ${outcome === undefined ? "success" : String(outcome)}`);
  return outcome;
}

/** carrierError for a call already made. */
export function failure(call: Promise<unknown>): Promise<CarrierError> {
  return carrierError(() => call);
}
