// Talos's apid verifies the client certificate's extended key usage in the TLS handshake (its
// tls.Config.VerifyPeerCertificate, siderolabs/talos: internal/app/apid/main.go): every
// certificate of the verified chain that is not a CA must list exactly clientAuth, or the
// handshake fails and no call is ever read. OpenSSL's own check is looser (any list that
// includes clientAuth, or none at all, passes), so the rule is applied here as each connection
// finishes its handshake, before the HTTP/2 session reads a single frame: a connection whose
// certificate breaks it is closed.
//
// grpc-js creates its HTTP/2 servers itself and offers no hook for their TLS sockets; its
// `createHttp2Server` method, which every bind calls through the server object, is wrapped on
// this one server (not on the class) to add the check first among the connection listeners.
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type * as grpc from "@grpc/grpc-js";

const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

/** The subject of the chain's first non-CA certificate that lacks exactly clientAuth, if any. */
export function missingClientAuth(chain: readonly X509Certificate[]): string | undefined {
  for (const cert of chain) {
    if (cert.ca) continue;
    const usages = cert.keyUsage ?? [];
    if (usages.length !== 1 || usages[0] !== CLIENT_AUTH_OID) return cert.subject.replace(/\n/g, ",");
  }
  return undefined;
}

/** The peer's chain as the handshake verified it, leaf first (empty without a certificate). */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

interface Http2ServerFactory {
  createHttp2Server(credentials: grpc.ServerCredentials): {
    prependListener(event: "secureConnection", listener: (socket: TLSSocket) => void): unknown;
  };
}

/**
 * Closes every connection to `server` whose client certificate is refused by Talos's rule;
 * `onRefused` hears the subject (for the node's log).
 */
export function requireClientAuthUsage(server: grpc.Server, onRefused?: (subject: string) => void): void {
  const factory = server as unknown as Http2ServerFactory;
  if (typeof factory.createHttp2Server !== "function") {
    throw new Error("grpc-js no longer creates its HTTP/2 servers through createHttp2Server");
  }
  const create = factory.createHttp2Server.bind(server);
  factory.createHttp2Server = (credentials) => {
    const http2Server = create(credentials);
    http2Server.prependListener("secureConnection", (socket) => {
      const subject = missingClientAuth(peerChain(socket));
      if (subject === undefined) return;
      onRefused?.(subject);
      socket.destroy();
    });
    return http2Server;
  };
}
