// Starts real bin/talos-node processes for end-to-end tests and waits for their ready line
// (`talos-node: listening on <host>:<port> (<mode>)`).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { generateConfigs, parseTalosVersion } from "../../src/config/generate/index.js";
import { fastKeygen } from "../../src/config/generate/testkit.js";
import { type CertAndKeyPem, issueClientCertificate } from "../../src/pki/index.js";
import { killAtEnd } from "./cleanup.js";
import { TALOS_NODE, tempDir } from "./cli.js";

export interface StartNodeOptions {
  /** STATE directory (default: a fresh temporary one). */
  stateDir?: string;
  /** Default 127.0.0.1:0 (a free port). */
  listen?: string;
  /** Extra flags (e.g. ["--time-scale", "100"]). */
  args?: string[];
  env?: Record<string, string | undefined>;
  /** How long to wait for the ready line (default 20 s). */
  timeoutMs?: number;
}

export interface StartedNode {
  host: string;
  port: number;
  /** host:port */
  address: string;
  stateDir: string;
  /** The mode of the last ready line. */
  mode(): "maintenance" | "configured";
  child: ChildProcess;
  /** SIGTERM, then wait for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the process to exit. */
  kill(): Promise<void>;
  /** Everything the process printed so far (stdout and stderr interleaved). */
  output(): string;
  /**
   * Resolves once the output contains `pattern` (a string or a regular expression); rejects
   * when the process ended without it or after the deadline (default 20 s).
   */
  waitForOutput(pattern: string | RegExp, options?: { timeoutMs?: number }): Promise<void>;
  /** Resolves at the next ready line with this mode (or at once if the last one has it and `fresh` is false). */
  waitForMode(
    mode: "maintenance" | "configured",
    options?: { timeoutMs?: number; fresh?: boolean },
  ): Promise<void>;
  /** Exit code once exited and its output was read to the end. */
  exited: Promise<number | null>;
}

const READY = /^talos-node: listening on (\S+):(\d+) \((maintenance|configured)\)$/;

function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function startNode(options: StartNodeOptions = {}): Promise<StartedNode> {
  const stateDir = options.stateDir ?? tempDir("talos-node-state-");
  const args = [
    "--state-dir",
    stateDir,
    "--listen",
    options.listen ?? "127.0.0.1:0",
    ...(options.args ?? []),
  ];
  const child = killAtEnd(
    spawn(process.execPath, [TALOS_NODE, ...args], {
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  let stdoutBuffer = "";
  let lastMode: "maintenance" | "configured" | undefined;
  let readyCount = 0;
  const readyWaiters = new Set<() => void>();
  const outputWaiters = new Set<() => void>();
  let host = "";
  let port = 0;
  let closed = false;
  // "close", not "exit": the process's last lines are read by then.
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      closed = true;
      for (const wake of [...outputWaiters]) wake();
      resolve(code);
    }),
  );
  const wakeOutput = (): void => {
    for (const wake of [...outputWaiters]) wake();
  };

  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    wakeOutput();
    stdoutBuffer += chunk;
    let nl = stdoutBuffer.indexOf("\n");
    while (nl >= 0) {
      const line = stdoutBuffer.slice(0, nl);
      stdoutBuffer = stdoutBuffer.slice(nl + 1);
      const m = READY.exec(line);
      if (m) {
        host = m[1]!.replace(/^\[(.*)\]$/, "$1");
        port = Number(m[2]);
        lastMode = m[3] as "maintenance" | "configured";
        readyCount++;
        for (const wake of [...readyWaiters]) wake();
      }
      nl = stdoutBuffer.indexOf("\n");
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    wakeOutput();
  });

  const waitReady = (predicate: () => boolean, timeoutMs: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (predicate()) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`talos-node: ${what} not seen within ${timeoutMs} ms; output:\n${output}`));
      }, timeoutMs);
      const onExit = (): void => {
        cleanup();
        reject(new Error(`talos-node exited before ${what}; output:\n${output}`));
      };
      const wake = (): void => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        readyWaiters.delete(wake);
        child.off("close", onExit);
      };
      readyWaiters.add(wake);
      child.once("close", onExit);
    });

  await waitReady(() => readyCount > 0, options.timeoutMs ?? 20_000, "ready line");

  const waitExit = async (signal: NodeJS.Signals): Promise<void> => {
    // Already exited: still wait until its output was read to the end.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  return {
    get host() {
      return host;
    },
    get port() {
      return port;
    },
    get address() {
      return `${host.includes(":") ? `[${host}]` : host}:${port}`;
    },
    stateDir,
    mode: () => lastMode ?? "maintenance",
    child,
    stop: () => waitExit("SIGTERM"),
    kill: () => waitExit("SIGKILL"),
    output: () => output,
    waitForOutput: (pattern, opts = {}) =>
      new Promise<void>((resolve, reject) => {
        const timeoutMs = opts.timeoutMs ?? 20_000;
        const found = (): boolean =>
          typeof pattern === "string" ? output.includes(pattern) : pattern.test(output);
        const check = (): boolean => {
          if (found()) {
            resolve();
            return true;
          }
          if (closed) {
            reject(new Error(`talos-node ended without printing ${String(pattern)}; output:\n${output}`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const timer = setTimeout(() => {
          outputWaiters.delete(wake);
          reject(
            new Error(
              `talos-node did not print ${String(pattern)} within ${timeoutMs} ms; output:\n${output}`,
            ),
          );
        }, timeoutMs);
        const wake = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          outputWaiters.delete(wake);
        };
        outputWaiters.add(wake);
      }),
    waitForMode: (mode, opts = {}) => {
      const seen = readyCount;
      const fresh = opts.fresh ?? false;
      return waitReady(
        () => lastMode === mode && (!fresh || readyCount > seen),
        opts.timeoutMs ?? 20_000,
        `ready line (${mode})`,
      );
    },
    exited,
  };
}

// ---------------------------------------------------------------------------------------------
// A plain grpc-js client for node tests: its own channel, raw bytes on the wire, generated
// message types only to encode and decode. Independent of the CLI's client code.

export interface ClientPair {
  crt: string;
  key: string;
}

const rawBytes = (b: Buffer): Buffer => b;

/** Talos keys carry the `ED25519 PRIVATE KEY` label; TLS wants plain PKCS#8 `PRIVATE KEY`. */
function tlsKey(pem: string): string {
  return pem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

const CHANNEL_OPTIONS = {
  "grpc.max_send_message_length": 64 * 1024 * 1024,
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
  // Fresh connections per client, so a test sees what a new client sees.
  "grpc.use_local_subchannel_pool": 1,
} as const;

/** A maintenance-mode client: TLS without verifying the server, no client certificate. */
export function insecureClient(address: string): grpc.Client {
  const creds = grpc.credentials.createSsl(null, null, null, {
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  return new grpc.Client(address, creds, CHANNEL_OPTIONS);
}

/** An mTLS client verifying the server against `ca` (its certificate names 127.0.0.1). */
export function mtlsClient(address: string, ca: string, pair?: ClientPair): grpc.Client {
  const creds = pair
    ? grpc.credentials.createSsl(Buffer.from(ca), Buffer.from(tlsKey(pair.key)), Buffer.from(pair.crt))
    : grpc.credentials.createSsl(Buffer.from(ca));
  return new grpc.Client(address, creds, CHANNEL_OPTIONS);
}

export function unaryCall(
  client: grpc.Client,
  path: string,
  body: Uint8Array,
  options: { metadata?: grpc.Metadata; timeoutMs?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      rawBytes,
      rawBytes,
      Buffer.from(body),
      options.metadata ?? new grpc.Metadata(),
      { deadline: Date.now() + (options.timeoutMs ?? 15_000) },
      (err, value) => (err ? reject(err) : resolve(value!)),
    );
  });
}

export interface StreamHandle {
  /** Messages received so far. */
  readonly messages: Buffer[];
  /** Resolves once `count` messages arrived (rejects when the stream ends or fails first). */
  waitFor(count: number, timeoutMs?: number): Promise<Buffer[]>;
  /**
   * Resolves with the first message (from index `from` on) that `match` accepts, as it arrives;
   * rejects when the stream ends or fails first, or after the deadline, naming `what`.
   */
  waitForMessage(
    match: (message: Buffer) => boolean,
    options: { what: string; timeoutMs?: number; from?: number },
  ): Promise<Buffer>;
  /** Resolves with every message when the stream ends; rejects with its error. */
  done: Promise<Buffer[]>;
  cancel(): void;
}

export function streamCall(
  client: grpc.Client,
  path: string,
  body: Uint8Array,
  options: { metadata?: grpc.Metadata; timeoutMs?: number } = {},
): StreamHandle {
  const call = client.makeServerStreamRequest(
    path,
    rawBytes,
    rawBytes,
    Buffer.from(body),
    options.metadata ?? new grpc.Metadata(),
    { deadline: Date.now() + (options.timeoutMs ?? 30_000) },
  );
  const messages: Buffer[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  let failure: Error | undefined;
  const done = new Promise<Buffer[]>((resolve, reject) => {
    call.on("data", (b: Buffer) => {
      messages.push(b);
      for (const w of [...waiters]) w();
    });
    call.on("error", (err: Error) => {
      ended = true;
      failure = err;
      for (const w of [...waiters]) w();
      reject(err);
    });
    call.on("end", () => {
      ended = true;
      for (const w of [...waiters]) w();
      resolve(messages);
    });
  });
  done.catch(() => undefined);
  return {
    messages,
    done,
    cancel: () => call.cancel(),
    waitFor: (count, timeoutMs = 15_000) =>
      until(
        () => (messages.length >= count ? messages.slice(0, count) : undefined),
        timeoutMs,
        () => `${count} messages (got ${messages.length})`,
      ),
    waitForMessage: (match, { what, timeoutMs = 15_000, from = 0 }) => {
      let checked = from;
      return until(
        () => {
          for (; checked < messages.length; checked++)
            if (match(messages[checked]!)) return messages[checked]!;
          return undefined;
        },
        timeoutMs,
        () => `${what} (${messages.length} messages so far)`,
      );
    },
  };

  /** Resolves with `found()`'s first value, checked at every message and at the stream's end. */
  function until<T>(found: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = found();
        if (value !== undefined) {
          resolve(value);
          return true;
        }
        if (ended) {
          reject(failure ?? new Error(`the stream ended before ${what()}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const wake = (): void => {
        if (check()) {
          clearTimeout(timer);
          waiters.delete(wake);
        }
      };
      waiters.add(wake);
    });
  }
}

/** Retries `fn` until it resolves (e.g. while the node restarts its listener). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

// ---------------------------------------------------------------------------------------------
// Cluster material for node tests: machine configs from the toolkit's generator and client
// certificates issued from their OS CA.

export interface TestCluster {
  controlplane: string;
  worker: string;
  /** The Talos API (OS) CA. */
  osCa: CertAndKeyPem;
  admin: ClientPair;
  reader: ClientPair;
  operator: ClientPair;
}

const HOUR = 3_600_000;

/**
 * Configs and client certificates of a new cluster. `talosVersion` generates the configs for that
 * version's contract (a node started with `--talos-version` loads only what its version knows).
 */
export async function makeCluster(name = "test-cluster", talosVersion?: string): Promise<TestCluster> {
  const now = new Date(Date.now() - 60_000);
  const g = await generateConfigs({
    clusterName: name,
    endpoint: "https://127.0.0.1:6443",
    keygen: fastKeygen,
    now,
    // Kubernetes 1.33 runs on every Talos release from 1.12 to 1.15.
    ...(talosVersion !== undefined
      ? { contract: parseTalosVersion(talosVersion), kubernetesVersion: "1.33.0" }
      : {}),
  });
  const osCa = g.secrets.certs.os;
  const issue = (role: string) => issueClientCertificate({ ca: osCa, roles: [role], ttlMs: 24 * HOUR, now });
  const [admin, reader, operator] = await Promise.all([
    issue("os:admin"),
    issue("os:reader"),
    issue("os:operator"),
  ]);
  return { controlplane: g.controlplane, worker: g.worker, osCa, admin, reader, operator };
}

/**
 * Writes a machine config into a STATE directory, as a node that applied it earlier left it.
 * A control plane is seeded as already bootstrapped (its etcd has data), unless `bootstrapped`
 * is false, so that its etcd and Kubernetes come up without a `bootstrap` call.
 */
export function seedState(stateDir: string, config: string, options: { bootstrapped?: boolean } = {}): void {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(stateDir, "config.yaml"), config, { mode: 0o600 });
  if ((options.bootstrapped ?? true) && /^ {4}type: (controlplane|init)$/m.test(config)) {
    const member = path.join(stateDir, "rootfs", "var", "lib", "etcd", "member");
    fs.mkdirSync(member, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(member, "id"), `${randomBytes(8).toString("hex")}\n`, { mode: 0o600 });
  }
}

/** The config a STATE directory holds (undefined when none). */
export function stateConfig(stateDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(stateDir, "config.yaml"), "utf8");
  } catch {
    return undefined;
  }
}

/** A variant of a config that differs only in a sysctl (applies live, changes nothing else). */
export function configVariant(config: string, label: string): string {
  if (!config.includes("\nmachine:\n")) throw new Error("config has no machine section");
  return config.replace(
    "\nmachine:\n",
    `\nmachine:\n    sysctls:\n        variant: ${JSON.stringify(label)}\n`,
  );
}
