// Who the caller is: roles from the client certificate's Organization values (configured
// node), or os:reader for everyone (maintenance mode).
import { X509Certificate } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { Role } from "./rbac.js";
import { type Authenticator, RpcError } from "./server.js";

const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

/** Metadata key through which a trusted proxy passes the original caller's roles. */
export const ROLE_METADATA = "talos-role";

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
  return (call) => {
    const peer = call.getAuthContext().sslPeerCertificate;
    if (!peer?.raw) throw new RpcError(grpc.status.UNAUTHENTICATED, "client certificate required");
    const cert = new X509Certificate(peer.raw);
    if (!cert.ca) {
      const usages = cert.keyUsage ?? [];
      if (usages.length !== 1 || usages[0] !== CLIENT_AUTH_OID) {
        throw new RpcError(
          grpc.status.PERMISSION_DENIED,
          `certificate "${cert.subject.replace(/\n/g, ",")}" is missing the client auth extended key usage`,
        );
      }
    }
    const roles = rolesFromSubject(cert.subject);
    if (roles.includes(Role.Impersonator)) {
      const passed = call.metadata
        .get(ROLE_METADATA)
        .map(String)
        .filter((r) => r !== "");
      if (passed.length > 0) return passed;
    }
    return roles;
  };
}

/** Maintenance mode: no client certificate, every caller is a reader. */
export function maintenanceAuthenticator(): Authenticator {
  return () => [Role.Reader];
}
