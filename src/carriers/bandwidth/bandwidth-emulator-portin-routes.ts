import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from "../emulator-kit/carrier-emulator.js";
import type { BandwidthPortIns } from "./bandwidth-emulator-portins.js";

const LNP_CHECKER_PATH = /^\/api\/accounts\/([^/]+)\/lnpchecker$/;
const PORT_INS_PATH = /^\/api\/accounts\/([^/]+)\/portins$/;
const PORT_IN_PATH = /^\/api\/accounts\/([^/]+)\/portins\/([^/]+)$/;
const PORT_IN_HISTORY_PATH = /^\/api\/accounts\/([^/]+)\/portins\/([^/]+)\/history$/;
const PORT_IN_LOAS_PATH = /^\/api\/accounts\/([^/]+)\/portins\/([^/]+)\/loas$/;

type ForAccount = (match: RegExpExecArray, handle: () => EmulatorResponse) => EmulatorResponse;
type XmlWrite = (request: EmulatorRequest, match: RegExpExecArray, handle: () => EmulatorResponse) => EmulatorResponse;

/**
 * The porting routes of the Bandwidth emulator: lnpchecker, portins and, per port-in, GET/PUT/DELETE, history and
 * loas. XML bodies must be declared XML (`xmlWrite`); an LOA upload is a raw file of its own type. The
 * activationStatus resource (triggered ports only) is not emulated: port-ins asking `Triggered` are refused (7346).
 */
export function portInRoutes(portins: () => BandwidthPortIns, forAccount: ForAccount, xmlWrite: XmlWrite): EmulatorRoute[] {
  const id = (match: RegExpExecArray) => match[2] ?? "";
  return [
    { method: "POST", pattern: LNP_CHECKER_PATH, handle: (request, match) => xmlWrite(request, match, () => portins().checkPortability(request)) },
    { method: "POST", pattern: PORT_INS_PATH, handle: (request, match) => xmlWrite(request, match, () => portins().create(request)) },
    { method: "GET", pattern: PORT_INS_PATH, handle: (request, match) => forAccount(match, () => portins().list(request)) },
    { method: "GET", pattern: PORT_IN_PATH, handle: (request, match) => forAccount(match, () => portins().fetch(id(match))) },
    { method: "PUT", pattern: PORT_IN_PATH, handle: (request, match) => xmlWrite(request, match, () => portins().supp(request, id(match))) },
    { method: "DELETE", pattern: PORT_IN_PATH, handle: (request, match) => forAccount(match, () => portins().cancel(id(match))) },
    { method: "GET", pattern: PORT_IN_HISTORY_PATH, handle: (request, match) => forAccount(match, () => portins().history(id(match))) },
    { method: "POST", pattern: PORT_IN_LOAS_PATH, handle: (request, match) => forAccount(match, () => portins().upload(request, id(match))) },
    { method: "GET", pattern: PORT_IN_LOAS_PATH, handle: (request, match) => forAccount(match, () => portins().documents(request, id(match))) },
  ];
}
