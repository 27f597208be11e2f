// How a node's API certificate relates to trustd: a control plane serves trustd beside its API
// (with its API certificate); a worker, whose config carries no OS CA key, asks a control
// plane's trustd for its certificate — at once if one is known, otherwise it serves a
// node-local certificate meanwhile and keeps asking until a trustd answers.
import { isIP } from "node:net";
import { errorMessage } from "../../errors.js";
import { trustdPortFor } from "../../wire/index.js";
import type { ConfiguredTls, ConfiguredTlsInput, TlsIdentity } from "../api/index.js";
import { configuredTls } from "../api/index.js";
import type { Clock } from "../clock.js";
import { isComplete, isControlPlane, legacyDocument, type Machine, osCa } from "../machine/index.js";
import {
  type PreparedRequest,
  prepareCertificateRequest,
  requestCertificate,
  startTrustd,
  type TrustdServer,
} from "./trustd.js";

/** Real milliseconds before a worker's second attempt to reach a trustd; doubled per failure up to the cap. */
const RETRY_REAL_MS = 500;
const RETRY_MAX_REAL_MS = 4_000;

export interface NodeTrustOptions {
  readonly host: string;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** A worker got its certificate from trustd: the node switches its listener to it. */
  readonly onIdentity: (machine: Machine, source: string, tls: ConfiguredTls) => void;
}

/** `.machine.token`: what a worker shows trustd. */
export function machineToken(machine: Machine): string {
  const token = (legacyDocument(machine.config.active)?.data as { machine?: { token?: unknown } } | undefined)
    ?.machine?.token;
  return typeof token === "string" ? token : "";
}

function sans(input: Omit<ConfiguredTlsInput, "now">): { ips: string[]; dnsNames: string[] } {
  const names = [...input.addresses, "127.0.0.1", "::1", "localhost", input.hostname, ...input.certSans];
  const ips = [...new Set(names.filter((n) => n !== "" && isIP(n) !== 0))];
  const dnsNames = [...new Set(names.filter((n) => n !== "" && isIP(n) === 0))];
  return { ips, dnsNames };
}

export class NodeTrust {
  private server: { key: string; running: Promise<TrustdServer | undefined> } | undefined;
  private retrying: { machine: Machine; source: string } | undefined;
  private stopped = false;
  /** The key and CSR of the pending request, for the names they were made for. */
  private prepared: { names: string; request: Promise<PreparedRequest> } | undefined;

  constructor(private readonly options: NodeTrustOptions) {}

  /** A worker's API identity: from a control plane's trustd, else node-local until one answers. */
  async workerTls(
    machine: Machine,
    input: Omit<ConfiguredTlsInput, "now">,
    source: string,
  ): Promise<ConfiguredTls> {
    const issued = await this.fromTrustd(machine, input, source);
    if (issued) return issued;
    const fallback = await configuredTls({ ...input, now: this.options.clock.now() });
    this.retry(machine, input, source);
    return fallback;
  }

  private async fromTrustd(
    machine: Machine,
    input: Omit<ConfiguredTlsInput, "now">,
    source: string,
  ): Promise<ConfiguredTls | undefined> {
    const token = machineToken(machine);
    const endpoints = machine.cluster.trustdEndpoints();
    if (endpoints.length === 0) return undefined;
    const names = { hostname: input.hostname, ...sans(input) };
    const key = JSON.stringify(names);
    if (this.prepared?.names !== key)
      this.prepared = { names: key, request: prepareCertificateRequest(names) };
    const prepared = await this.prepared.request;
    for (const endpoint of endpoints) {
      try {
        const cert = await requestCertificate({ endpoint, caCrt: input.osCa.crt, token, ...names }, prepared);
        // The key is now the certificate's: the next request makes its own.
        this.prepared = undefined;
        this.options.log(`API certificate issued by trustd at ${endpoint}`);
        const trust = [input.osCa.crt, ...input.acceptedCas].filter((p) => p !== "").join("\n");
        return { mode: "configured", cert, trust, source };
      } catch {
        // try the next control plane
      }
    }
    return undefined;
  }

  private retry(machine: Machine, input: Omit<ConfiguredTlsInput, "now">, source: string): void {
    if (this.retrying?.machine === machine && this.retrying.source === source) return;
    const attempt = { machine, source };
    this.retrying = attempt;
    let wait = RETRY_REAL_MS;
    const again = async (): Promise<void> => {
      if (this.stopped || this.retrying !== attempt || machine.signal.aborted) return;
      const issued = await this.fromTrustd(machine, input, source);
      if (this.stopped || this.retrying !== attempt || machine.signal.aborted) return;
      if (issued) {
        this.retrying = undefined;
        this.options.onIdentity(machine, source, issued);
        return;
      }
      wait = Math.min(wait * 2, RETRY_MAX_REAL_MS);
      setTimeout(() => void again(), wait).unref();
    };
    setTimeout(() => void again(), wait).unref();
  }

  /** Runs trustd beside the API of a configured control plane (restarted when the identity changes). */
  serve(machine: Machine, identity: TlsIdentity, apiPort: number): void {
    const active = machine.config.active;
    const wanted =
      identity.mode === "configured" &&
      isComplete(active) &&
      isControlPlane(active) &&
      osCa(active).key !== "";
    const key = wanted ? `${identity.cert.crt}|${apiPort}` : "";
    if (this.server?.key === key) {
      void this.server.running.then((s) => machine.cluster.setTrustdEndpoint(s?.address));
      return;
    }
    const previous = this.server;
    this.server = undefined;
    const stopped = previous ? previous.running.then((s) => s?.stop()) : Promise.resolve();
    if (!wanted || identity.mode !== "configured" || this.stopped) {
      machine.cluster.setTrustdEndpoint(undefined);
      return;
    }
    const port = trustdPortFor(apiPort);
    const running = stopped
      .then(() =>
        startTrustd({
          host: this.options.host,
          port,
          cert: identity.cert,
          authority: () => {
            const current = machine.config.active;
            if (!isComplete(current)) return undefined;
            return { ca: osCa(current), token: machineToken(machine) };
          },
          now: () => this.options.clock.now(),
          log: this.options.log,
        }),
      )
      .then(
        (s) => {
          machine.cluster.setTrustdEndpoint(s.address);
          return s;
        },
        (err: unknown) => {
          this.options.log(`trustd: cannot listen on port ${port}: ${errorMessage(err)}`);
          return undefined;
        },
      );
    this.server = { key, running };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retrying = undefined;
    const s = await this.server?.running;
    this.server = undefined;
    await s?.stop();
  }
}
