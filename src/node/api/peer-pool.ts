// Connections from this node to other nodes' APIs, for forwarding calls, as apid makes them
// (siderolabs/talos: internal/app/apid/pkg/backend/apid.go): mTLS with the node's own client
// certificate (issued by the OS CA with the os:impersonator role, so the target takes the caller's
// roles from `talos-role` metadata), verifying the target against the accepted CAs. One channel per
// target, at most `max` of them (least recently used closed first); idle channels drop their
// connection after 15 minutes.
import { isIP } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { type CertAndKeyPem, issueClientCertificate, toTlsKeyPem } from "../../pki/index.js";
import { MAX_MESSAGE_BYTES } from "../../wire/index.js";
import { Role } from "./rbac.js";

/** The TLS server name sent to a target dialled by IP address. */
const PEER_SERVER_NAME = "talos-peer";
/** Channels kept open at once. */
export const DEFAULT_PEER_POOL_SIZE = 256;
/** apid drops idle backend connections after 15 minutes. */
const IDLE_MS = 15 * 60_000;
/** Reconnect backoff is capped at 15 s, as apid's. */
const MAX_BACKOFF_MS = 15_000;
/** The proxy certificate lives 24 hours. */
const CERT_TTL_MS = 24 * 3_600_000;
/** Backdating tolerates targets whose clock is slightly behind. */
const BACKDATE_MS = 5 * 60_000;

export interface PeerIdentity {
  /** Client certificate and key (os:impersonator). */
  readonly cert: CertAndKeyPem;
  /** PEM bundle of the CAs a target's server certificate may chain to. */
  readonly trust: string;
  /** When the certificate was issued. */
  readonly issuedAt: Date;
}

/** Issues the node's proxy client certificate from the OS CA. */
export async function peerIdentity(
  osCa: { readonly crt: string; readonly key: string },
  acceptedCas: readonly string[],
  now: Date,
): Promise<PeerIdentity> {
  const cert = await issueClientCertificate({
    ca: osCa,
    roles: [Role.Impersonator],
    ttlMs: CERT_TTL_MS + BACKDATE_MS,
    now: new Date(now.getTime() - BACKDATE_MS),
  });
  const trust = [osCa.crt, ...acceptedCas].filter((p) => p !== "").join("\n");
  return { cert, trust, issuedAt: now };
}

export class PeerPool {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly trust: Buffer;
  private readonly key: Buffer;
  private readonly cert: Buffer;
  private closed = false;

  constructor(
    readonly identity: PeerIdentity,
    private readonly max = DEFAULT_PEER_POOL_SIZE,
  ) {
    this.trust = Buffer.from(identity.trust);
    this.key = Buffer.from(toTlsKeyPem(identity.cert.key));
    this.cert = Buffer.from(identity.cert.crt);
  }

  /** Channels open now. */
  get size(): number {
    return this.clients.size;
  }

  /** The channel to `authority` (host:port), made on first use. */
  client(authority: string): grpc.Client {
    if (this.closed) throw new Error("the peer pool is closed");
    const existing = this.clients.get(authority);
    if (existing) {
      // Most recently used last.
      this.clients.delete(authority);
      this.clients.set(authority, existing);
      return existing;
    }
    while (this.clients.size >= this.max) {
      const [oldest, client] = this.clients.entries().next().value as [string, grpc.Client];
      this.clients.delete(oldest);
      client.close();
    }
    // The target's certificate must name the address dialled. TLS takes no IP address as the
    // server name (SNI), so an IP target is verified by hand against a placeholder name.
    const host = authority.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
    const credentials = grpc.credentials.createSsl(this.trust, this.key, this.cert, {
      checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
    });
    const client = new grpc.Client(authority, credentials, {
      ...(isIP(host) !== 0 ? { "grpc.ssl_target_name_override": PEER_SERVER_NAME } : {}),
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_reconnect_backoff_ms": MAX_BACKOFF_MS,
      "grpc.client_idle_timeout_ms": IDLE_MS,
      "grpc.keepalive_time_ms": 30_000,
      "grpc.keepalive_timeout_ms": 20_000,
      // Channels of this pool are this node's own (its certificate), never shared.
      "grpc.use_local_subchannel_pool": 1,
    });
    this.clients.set(authority, client);
    return client;
  }

  /** Closes the channel to `authority` if it is still `client`; the next call makes a new one. */
  forget(authority: string, client: grpc.Client): void {
    if (this.clients.get(authority) !== client) return;
    this.clients.delete(authority);
    client.close();
  }

  /** Closes every channel (calls in flight end with an error). */
  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
