/**
 * Connection and message limits of the gRPC server (grpc-js channel options). Each closes a way for a client
 * to hold resources forever or to make numbergate buffer without bound.
 */
export interface ServerLimits {
  /** Largest request message, bytes; a larger one is refused by grpc-js with RESOURCE_EXHAUSTED. */
  readonly maxReceiveMessageBytes: number;
  /** Largest response message, bytes (grpc-js sends without limit unless told). */
  readonly maxSendMessageBytes: number;
  /** Ping a connection after this long without activity, to notice dead clients (and dead stream watchers). */
  readonly keepaliveTimeMs: number;
  /** A ping not answered within this long drops the connection. */
  readonly keepaliveTimeoutMs: number;
  /**
   * A connection with no call in progress for this long is closed (GOAWAY). grpc-js starts this clock when the
   * connection opens, so it is also the limit for a connection that never sends a request: a bare TCP
   * connection, or one that sends only the HTTP/2 preface. grpc-js has no separate first-request timeout.
   */
  readonly maxConnectionIdleMs: number;
  /** A connection older than this (±10% jitter) is asked to go away, so clients spread over replicas again. */
  readonly maxConnectionAgeMs: number;
  /** After that GOAWAY, calls still running (streams) get this long before the connection is closed. */
  readonly maxConnectionAgeGraceMs: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  maxReceiveMessageBytes: 4 * 1024 * 1024,
  maxSendMessageBytes: 4 * 1024 * 1024,
  keepaliveTimeMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  maxConnectionIdleMs: 60_000,
  maxConnectionAgeMs: 30 * 60_000,
  maxConnectionAgeGraceMs: 5 * 60_000,
});
