import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import type { RichStatus, StatusDetail } from "./error-details.js";
import { ExitCode } from "./exit-codes.js";
import { formatDuration } from "./formatting.js";
import type { Duration } from "./messages.js";

/** A call that ended with a non-OK status, with what the server said about it in grpc-status-details-bin. */
export class RpcFailure extends Error {
  constructor(
    readonly code: GrpcStatus,
    readonly details: string,
    /** Decoded google.rpc.Status, when the server sent one. */
    readonly rich: RichStatus | undefined,
    /** Whether anything came back from the server before the call failed (headers, a message, details). */
    readonly answered: boolean,
  ) {
    super(`${statusName(code)}: ${details}`);
    this.name = "RpcFailure";
  }

  static from(error: ServiceError, answered: boolean, decode: (bytes: Uint8Array) => RichStatus): RpcFailure {
    const [bytes] = error.metadata?.get("grpc-status-details-bin") ?? [];
    let rich: RichStatus | undefined;
    // Details that do not decode are left out rather than hiding the status itself.
    if (bytes instanceof Uint8Array) {
      try {
        rich = decode(bytes);
      } catch {
        rich = undefined;
      }
    }
    return new RpcFailure(error.code, error.details, rich, answered || rich !== undefined);
  }

  /** UNAVAILABLE or DEADLINE_EXCEEDED with nothing from the server: the connection never carried an answer. */
  get unreachable(): boolean {
    return !this.answered && (this.code === GrpcStatus.UNAVAILABLE || this.code === GrpcStatus.DEADLINE_EXCEEDED);
  }

  get exitCode(): ExitCode {
    return this.unreachable ? ExitCode.UNREACHABLE : ExitCode.SERVER_ERROR;
  }

  /** `error: CODE: message` and one indented line per detail, for a human on stderr. */
  describe(): string[] {
    const lines = [`error: ${statusName(this.code)}: ${this.details}`];
    if (this.unreachable) lines.push("  the server could not be reached (check --address, --tls and that numbergate is running)");
    for (const detail of this.rich?.details ?? []) lines.push(...describeDetail(detail));
    return lines;
  }

  /** The error as google's JSON error shape, for --json on stderr. */
  toJSON(): object {
    return {
      error: {
        code: statusName(this.code),
        status: this.code,
        message: this.details,
        unreachable: this.unreachable,
        details: (this.rich?.details ?? []).map((detail) => ({ "@type": `type.googleapis.com/${detail.type}`, ...detail.fields })),
      },
    };
  }
}

export function statusName(code: number): string {
  return GrpcStatus[code] ?? `STATUS_${code}`;
}

function describeDetail(detail: StatusDetail): string[] {
  const fields = detail.fields;
  if (fields === undefined) return [`  detail of unknown type ${detail.type}`];
  switch (detail.type) {
    case "google.rpc.ErrorInfo": {
      const metadata = Object.entries((fields["metadata"] ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
      return [`  reason: ${String(fields["reason"])}`, ...metadata.map(([key, value]) => `    ${key}: ${value}`)];
    }
    case "google.rpc.BadRequest": {
      const violations = (fields["fieldViolations"] ?? []) as { field?: string; description?: string }[];
      return violations.map((violation) => `  field ${violation.field ?? "?"}: ${violation.description ?? ""}`);
    }
    case "google.rpc.RetryInfo": {
      const delay = fields["retryDelay"] as Duration | null | undefined;
      return delay ? [`  retry after ${formatDuration(delay)}`] : [];
    }
    case "google.rpc.DebugInfo":
      return [`  debug: ${String(fields["detail"])}`];
    case "google.rpc.LocalizedMessage":
      return [`  ${String(fields["message"])}`];
    default:
      return [`  ${detail.type}: ${JSON.stringify(fields)}`];
  }
}
