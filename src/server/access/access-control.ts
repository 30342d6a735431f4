import { createHash, timingSafeEqual } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import type { AccessSettings } from "../../config/config-types.js";
import type { Logger } from "../../telemetry/logger.js";
import { readAccessFile, ROLES, type KnownCaller, type Role } from "./access-file.js";

/** Who a call comes from, once proven. */
export interface CallerIdentity {
  readonly name: string;
  readonly roles: ReadonlySet<Role>;
  readonly via: "token" | "certificate";
}

export type Authentication = { readonly kind: "authenticated"; readonly identity: CallerIdentity } | { readonly kind: "unauthenticated"; readonly why: string };

/** What a call presents: its bearer token (authorization metadata) and its verified client certificate's CN. */
export interface PresentedCredentials {
  readonly bearerToken: string | undefined;
  readonly certificateCn: string | undefined;
}

const ALL_ROLES: ReadonlySet<Role> = new Set(ROLES);
/** A burst of file events (an editor's save, a Kubernetes secret's symlink swap) makes one reload. */
const RELOAD_DEBOUNCE_MS = 100;

/**
 * Who may call numbergate: the callers of NUMBERGATE_TOKENS_FILE and, with NUMBERGATE_TLS_CLIENT_CA, the
 * subjects of client certificates the CA signed. The file is re-read on reload() (SIGHUP) and when it changes;
 * a file that no longer parses leaves the callers as they were (and says why), so a typo never locks everyone
 * out or lets everyone in. Open when neither is configured.
 */
export class AccessControl {
  #callers: readonly KnownCaller[];
  #watcher: FSWatcher | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly settings: AccessSettings,
    callers: readonly KnownCaller[],
    private readonly logger: Logger,
  ) {
    this.#callers = callers;
  }

  /** Reads the tokens file, if any; throws AccessFileError when it cannot be used (start-up stops). */
  static async start(settings: AccessSettings, logger: Logger): Promise<AccessControl> {
    const callers = settings.tokensFile === undefined ? [] : await readAccessFile(settings.tokensFile);
    const access = new AccessControl(settings, callers, logger);
    access.#watch();
    return access;
  }

  get open(): boolean {
    return this.settings.open;
  }

  get callerCount(): number {
    return this.#callers.length;
  }

  authenticate(presented: PresentedCredentials): Authentication {
    if (presented.bearerToken !== undefined) {
      const caller = this.#byToken(presented.bearerToken);
      // A token that is presented must be valid, whatever certificate comes with it.
      return caller ? { kind: "authenticated", identity: { name: caller.name, roles: caller.roles, via: "token" } } : { kind: "unauthenticated", why: "the bearer token is not one numbergate knows" };
    }
    if (presented.certificateCn !== undefined && this.settings.tls?.clientCaFile !== undefined) {
      const known = this.#callers.find((caller) => caller.certificateCn === presented.certificateCn);
      // Without a tokens file the client CA is the whole authority: a certificate it signed may do anything.
      if (known) return { kind: "authenticated", identity: { name: known.name, roles: known.roles, via: "certificate" } };
      if (this.settings.tokensFile === undefined) return { kind: "authenticated", identity: { name: `cn=${presented.certificateCn}`, roles: ALL_ROLES, via: "certificate" } };
      return { kind: "unauthenticated", why: "the client certificate's subject is not in the tokens file" };
    }
    return { kind: "unauthenticated", why: this.settings.tls?.clientCaFile === undefined ? "no bearer token (authorization: Bearer <token>)" : "no bearer token and no client certificate" };
  }

  /** Re-reads the tokens file; true when the new callers took effect. */
  async reload(): Promise<boolean> {
    if (this.settings.tokensFile === undefined) return true;
    try {
      this.#callers = await readAccessFile(this.settings.tokensFile);
      this.logger.info({ callers: this.#callers.length }, "tokens file reloaded");
      return true;
    } catch (error) {
      this.logger.error({ err: error }, "tokens file not reloaded: it cannot be used; the callers stay as they were");
      return false;
    }
  }

  close(): void {
    clearTimeout(this.#reloadTimer);
    this.#watcher?.close();
  }

  /**
   * Compares the token's digest with every known digest in constant time and without stopping at a match, so
   * the time taken says nothing about which token (or how much of one) is right.
   */
  #byToken(token: string): KnownCaller | undefined {
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: KnownCaller | undefined;
    for (const caller of this.#callers) {
      for (const known of caller.tokenDigests) {
        if (timingSafeEqual(known, digest) && found === undefined) found = caller;
      }
    }
    return found;
  }

  /** Watches the file's directory, not the file: secrets mounted by Kubernetes are replaced by a symlink swap. */
  #watch(): void {
    const path = this.settings.tokensFile;
    if (path === undefined) return;
    try {
      this.#watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file !== null && file !== basename(path) && !file.startsWith("..")) return;
        clearTimeout(this.#reloadTimer);
        this.#reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
      });
      this.#watcher.on("error", (error) => this.logger.warn({ err: error }, "stopped watching the tokens file; SIGHUP still reloads it"));
    } catch (error) {
      this.logger.warn({ err: error }, "cannot watch the tokens file for changes; SIGHUP reloads it");
    }
  }
}
