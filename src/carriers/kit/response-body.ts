import type { z } from "zod";
import { CarrierError } from "../../domain/carrier-error.js";
import type { CarrierId } from "../../domain/numbers.js";
import type { CarrierHttpResponse } from "./carrier-http-client.js";
import { parseXml } from "./xml.js";

function unreadable(carrierId: CarrierId, operation: string, response: CarrierHttpResponse, cause: unknown): CarrierError {
  return new CarrierError({
    kind: "carrier_server",
    carrierId,
    operation,
    message: `${carrierId} sent a response numbergate could not read`,
    httpStatus: response.status,
    carrierCode: "MALFORMED_RESPONSE",
    requestMayHaveReachedCarrier: true,
    cause,
  });
}

/** Parses a JSON body against a minimal schema; a parser crash becomes a carrier_server error. */
export function parseJsonBody<Schema extends z.ZodType>(
  response: CarrierHttpResponse,
  schema: Schema,
  carrierId: CarrierId,
  operation: string,
): z.infer<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(response.bodyText);
  } catch (error) {
    throw unreadable(carrierId, operation, response, error);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw unreadable(carrierId, operation, response, parsed.error);
  return parsed.data;
}

/** Parses an XML body and returns its root element's content. */
export function parseXmlBody(
  response: CarrierHttpResponse,
  rootElement: string,
  carrierId: CarrierId,
  operation: string,
): Record<string, unknown> {
  let document: Record<string, unknown>;
  try {
    document = parseXml(response.bodyText);
  } catch (error) {
    throw unreadable(carrierId, operation, response, error);
  }
  const root = document[rootElement];
  // An empty element (<SearchResult/>) parses to "".
  if (root === "") return {};
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    throw unreadable(carrierId, operation, response, new Error(`missing <${rootElement}> root element`));
  }
  return root as Record<string, unknown>;
}
