// gRPC failures in the words talosctl users know (`rpc error: code = PermissionDenied desc =
// not authorized`), and the per-node errors that fan-out commands collect.
import { Code, ConnectError } from "@connectrpc/connect";
import { type ErrorCode, errorMessage, TalosError } from "../errors.js";
import { errorCodeOf, goStatusString } from "../wire/index.js";

/** Raised by the fingerprint check inside the TLS handshake: the connection is refused before any call. */
export class FingerprintMismatchError extends TalosError {
  override readonly name = "FingerprintMismatchError";

  constructor(message: string) {
    super("unavailable", message);
  }
}

/** A failed call: the gRPC code plus the text talosctl would print. */
export class RpcError extends TalosError {
  readonly grpcCode: Code;
  /** The status message alone (Go's `desc`). */
  readonly description: string;
  /** True when the call never reached a server (dial, TLS). */
  readonly connectionFailure: boolean;

  constructor(
    grpcCode: Code,
    description: string,
    options: { cause?: unknown; connectionFailure?: boolean },
  ) {
    super(errorCodeOf(grpcCode), goStatusString(grpcCode, description), { cause: options.cause });
    this.grpcCode = grpcCode;
    this.description = description;
    this.connectionFailure = options.connectionFailure ?? false;
  }
}

interface NodeErrorProps {
  /** A Node.js system or TLS error code (`ECONNREFUSED`, `ERR_SSL_...`); never a TalosError's code. */
  code?: string;
  /** The error is the fingerprint check's refusal. */
  fingerprint?: boolean;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message: string;
}

function causeChain(err: unknown): NodeErrorProps[] {
  const out: NodeErrorProps[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const e = current as Error & Partial<NodeErrorProps>;
    out.push({
      message: e.message,
      ...(current instanceof FingerprintMismatchError ? { fingerprint: true } : {}),
      ...(typeof e.code === "string" && !(current instanceof TalosError) ? { code: e.code } : {}),
      ...(typeof e.syscall === "string" ? { syscall: e.syscall } : {}),
      ...(typeof e.address === "string" ? { address: e.address } : {}),
      ...(typeof e.port === "number" ? { port: e.port } : {}),
      ...(typeof e.hostname === "string" ? { hostname: e.hostname } : {}),
    });
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

const DIAL_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connect: connection refused",
  ETIMEDOUT: "i/o timeout",
  EHOSTUNREACH: "connect: no route to host",
  ENETUNREACH: "connect: network is unreachable",
  EADDRNOTAVAIL: "connect: cannot assign requested address",
};

/**
 * True when the connection failed before any request could be written (dial, DNS, TLS
 * handshake): only then is trying another endpoint safe for calls that change things.
 */
export function isDialFailure(err: unknown): boolean {
  return causeChain(err).some(
    (p) =>
      p.fingerprint === true ||
      (p.code !== undefined &&
        (DIAL_ERRORS[p.code] !== undefined ||
          p.code.startsWith("EAI_") ||
          p.code === "ENOTFOUND" ||
          isTlsCode(p.code))),
  );
}

function isTlsCode(code: string): boolean {
  return /CERT|SSL|TLS|SIGNATURE|ISSUER|KEY_USAGE/.test(code) && code !== "ERR_TLS_INVALID_PROTOCOL_VERSION";
}

/**
 * Describes a failure below gRPC (no server status): undefined when the error came from the
 * server or from the call itself.
 */
export function connectionFailure(err: unknown): string | undefined {
  for (const p of causeChain(err)) {
    if (p.fingerprint) return `transport: authentication handshake failed: ${p.message}`;
    if (p.code === undefined) continue;
    const dial = DIAL_ERRORS[p.code];
    if (dial !== undefined) {
      const target = p.address !== undefined ? ` ${hostPort(p.address, p.port)}` : "";
      return `transport: Error while dialing: dial tcp${target}: ${dial}`;
    }
    if (p.code === "ENOTFOUND" || p.code === "EAI_AGAIN" || p.code === "EAI_FAIL") {
      return `transport: Error while dialing: dial tcp: lookup ${p.hostname ?? "host"}: no such host`;
    }
    if (p.code === "ECONNRESET" || p.code === "EPIPE") {
      return `transport: connection closed by the server (${p.code === "EPIPE" ? "broken pipe" : "connection reset by peer"})`;
    }
    if (isTlsCode(p.code)) {
      return `transport: authentication handshake failed: tls: ${tlsMessage(p)}`;
    }
    if (p.code === "ERR_HTTP2_SESSION_ERROR" || p.code === "ERR_HTTP2_GOAWAY_SESSION") {
      return `transport: ${p.message}`;
    }
  }
  return undefined;
}

function tlsMessage(p: NodeErrorProps): string {
  // OpenSSL's messages read "error:0A00045C:SSL routines::tlsv13 alert certificate required".
  const ssl = /SSL routines::(.*)$/.exec(p.message);
  if (ssl) return ssl[1]!;
  return p.message;
}

function hostPort(address: string, port: number | undefined): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/**
 * Turns whatever a call threw into an RpcError with Go's wording. `aborted` tells whether the
 * caller's own signal fired (Ctrl+C), which Go reports as `context canceled`.
 */
export function toRpcError(err: unknown, aborted = false): RpcError {
  if (err instanceof RpcError) return err;
  const dial = connectionFailure(err);
  if (dial !== undefined) {
    return new RpcError(Code.Unavailable, `connection error: desc = "${dial}"`, {
      cause: err,
      connectionFailure: true,
    });
  }
  if (err instanceof ConnectError) {
    if (err.code === Code.Canceled && aborted)
      return new RpcError(Code.Canceled, "context canceled", { cause: err });
    if (err.code === Code.DeadlineExceeded) {
      return new RpcError(Code.DeadlineExceeded, "context deadline exceeded", { cause: err });
    }
    return new RpcError(err.code, err.rawMessage, { cause: err });
  }
  if (aborted) return new RpcError(Code.Canceled, "context canceled", { cause: err });
  return new RpcError(Code.Unknown, errorMessage(err), { cause: err });
}

/**
 * One node's failure, printed as `<prefix><node>: <message>` or a command's own wording. Its
 * code is the cause's when the cause is a TalosError (a failed call keeps its status).
 */
export class NodeError extends TalosError {
  override readonly name = "NodeError";
  readonly node: string;

  constructor(node: string, message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    const cause = options?.cause;
    super(options?.code ?? (cause instanceof TalosError ? cause.code : "unknown"), message, { cause });
    this.node = node;
  }
}
