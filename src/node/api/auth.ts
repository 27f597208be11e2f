// Who the caller is: roles from the client certificate's Organization values (configured
// node), or os:reader for everyone (maintenance mode).
import { X509Certificate } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { METADATA } from "../../wire/index.js";
import { StatusError } from "../errors.js";
import { Role } from "./rbac.js";
import type { Authenticator } from "./server.js";

const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

/** Roles named by a certificate subject's O= values; empty values are ignored. */
export function rolesFromSubject(subject: string): string[] {
  return subject
    .split("\n")
    .filter((line) => line.startsWith("O="))
    .map((line) => line.slice(2).trim())
    .filter((role) => role !== "");
}

/**
 * Authenticates callers of a configured node. The TLS layer has already verified the chain
 * against the OS CA; this adds Talos's extended-key-usage rule and reads the roles.
 */
export function certificateAuthenticator(): Authenticator {
  // Parsing the certificate costs more than serving a small call; a client presents the same
  // certificate on every call of a connection, so the verdict is kept per certificate.
  const verdicts = new Map<string, readonly string[] | StatusError>();
  return (call) => {
    const peer = call.getAuthContext().sslPeerCertificate;
    if (!peer?.raw) throw new StatusError(grpc.status.UNAUTHENTICATED, "client certificate required");
    const key = peer.fingerprint256 || peer.raw.toString("base64");
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = judgeCertificate(peer.raw);
      if (verdicts.size >= MAX_CACHED_CERTIFICATES) verdicts.clear();
      verdicts.set(key, verdict);
    }
    if (verdict instanceof StatusError) throw verdict;
    const roles = verdict;
    if (roles.includes(Role.Impersonator)) {
      const passed = call.metadata
        .get(METADATA.role)
        .map(String)
        .filter((r) => r !== "");
      if (passed.length > 0) return passed;
    }
    return roles;
  };
}

const MAX_CACHED_CERTIFICATES = 1024;

/** Talos's extended-key-usage rule and the roles, or the refusal. */
function judgeCertificate(raw: Buffer): readonly string[] | StatusError {
  const cert = new X509Certificate(raw);
  if (!cert.ca) {
    const usages = cert.keyUsage ?? [];
    if (usages.length !== 1 || usages[0] !== CLIENT_AUTH_OID) {
      return new StatusError(
        grpc.status.PERMISSION_DENIED,
        `certificate "${cert.subject.replace(/\n/g, ",")}" is missing the client auth extended key usage`,
      );
    }
  }
  return rolesFromSubject(cert.subject);
}

/** Maintenance mode: no client certificate, every caller is a reader. */
export function maintenanceAuthenticator(): Authenticator {
  return () => [Role.Reader];
}
