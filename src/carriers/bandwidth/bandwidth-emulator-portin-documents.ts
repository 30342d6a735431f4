import { xml, type EmulatorRequest, type EmulatorResponse } from "../emulator-kit/carrier-emulator.js";
import { buildXml } from "../kit/xml.js";
import type { EmulatedPortIn, PortInDocumentType } from "./bandwidth-emulator-portins-state.js";

const DOCUMENT_TYPES: readonly PortInDocumentType[] = ["LOA", "INVOICE", "CSR", "OTHER"];

/** The MIME types POST loas takes for non-toll-free port-ins (the operation's description), with a file extension. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/plain": "txt",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/tiff": "tiff",
  "text/csv": "csv",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
};

/** The largest document the emulator takes. Bandwidth publishes no limit in the spec; this one is the emulator's own. */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

function fileResponse(status: number, resultCode: string, resultMessage: string): EmulatorResponse {
  return xml(status, buildXml({ fileUploadResponse: { resultCode, resultMessage } }));
}

/**
 * POST portins/{id}/loas: the raw file is the body, its type in Content-Type, the document type in the documentType
 * query parameter or header. Refused: conflicting query and header (409, 7641), neither (409, 7640), another value
 * (400, 7639), a Content-Type outside the spec's list (415: the spec names no code for it), no content (400, 7598),
 * over MAX_DOCUMENT_BYTES (413). The file itself is not kept, only its name and type.
 */
export function uploadDocument(
  request: EmulatorRequest,
  record: EmulatedPortIn,
  now: number,
  accountUrl: string,
): { response: EmulatorResponse; stored?: EmulatedPortIn["documents"][number] } {
  const fromQuery = request.query.get("documentType") ?? undefined;
  const headerValue = request.headers["documenttype"];
  const fromHeader = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  if (fromQuery !== undefined && fromHeader !== undefined && fromQuery !== fromHeader) {
    return { response: fileResponse(409, "7641", "Conflicting values specified for documentType query parameter and documentType header.") };
  }
  const requested = fromQuery ?? fromHeader;
  if (requested === undefined) return { response: fileResponse(409, "7640", "This order requires specification of the documentType using either the query parameter or the header.") };
  const documentType = DOCUMENT_TYPES.find((type) => type === requested);
  if (!documentType) return { response: fileResponse(400, "7639", "Unknown documentType specified, valid values are: LOA, INVOICE, CSR, OTHER.") };
  const mediaType = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase() ?? "";
  const extension = EXTENSIONS[mediaType];
  if (extension === undefined) return { response: { status: 415, body: "" } };
  const declaredLength = Number(request.headers["content-length"]);
  const size = Number.isFinite(declaredLength) ? declaredLength : Buffer.byteLength(request.body);
  if (size > MAX_DOCUMENT_BYTES) return { response: { status: 413, body: "" } };
  if (size === 0) return { response: fileResponse(400, "7598", "Invalid Request: the document is empty") };
  // Named like the spec's example: {orderId}-{epoch milliseconds}.{extension}.
  const stored = { fileName: `${record.id}-${now}.${extension}`, documentType };
  record.documents.push(stored);
  const body = buildXml({ fileUploadResponse: { filename: stored.fileName, resultCode: "0", resultMessage: `LOA file uploaded successfully for order ${record.id}` } });
  return { response: xml(201, body, { location: `${accountUrl}/portins/${record.id}/loas/${stored.fileName}` }), stored };
}

/** GET portins/{id}/loas: the files of the order, with their document type when metadata=true. */
export function listDocuments(request: EmulatorRequest, record: EmulatedPortIn): EmulatorResponse {
  const metadata = request.query.get("metadata") ?? "false";
  if (metadata !== "true" && metadata !== "false") return fileListResponse(400, [], false, "7598", "Invalid Request: metadata must be true or false");
  return fileListResponse(200, record.documents, metadata === "true", "0", "LOA file list successfully returned");
}

function fileListResponse(status: number, documents: EmulatedPortIn["documents"], metadata: boolean, resultCode: string, resultMessage: string): EmulatorResponse {
  return xml(status, buildXml({
    fileListResponse: {
      fileCount: String(documents.length),
      fileData: documents.map((document) => ({ FileName: document.fileName, ...(metadata ? { FileMetaData: { DocumentType: document.documentType } } : {}) })),
      resultCode,
      resultMessage,
    },
  }));
}
