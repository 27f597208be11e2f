// Checks configs off the event loop: a large config is loaded, validated and diffed on a worker
// thread so that a heavy (or hostile) request never holds up Version, Events or other clients.
// Small configs are checked inline, where a thread hop would cost more than the work.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ConfigDocument, MachineConfigDocuments } from "../../config/document.js";
import { TalosError } from "../../errors.js";
import {
  type ConfigCheckRequest,
  type ConfigCheckResult,
  checkConfig,
  type PlainConfigDocument,
  plainDocuments,
} from "./config-check.js";

/** Configs up to this size are checked on the event loop (a few milliseconds of work). */
export const INLINE_CHECK_BYTES = 64 * 1024;

/** The worker's heap; a config the budgets let through needs far less. */
export const CONFIG_WORKER_HEAP_MB = 1024;

/** The bundle the worker thread runs, built beside the node's own (scripts/build.mjs). */
export const CONFIG_WORKER_BUNDLE = "talos-node-config-worker.cjs";

/** What the worker thread answers: the result with plain documents, or an internal error. */
export type WorkerReply =
  | {
      readonly id: number;
      readonly result:
        | { readonly ok: false; readonly message: string }
        | {
            readonly ok: true;
            readonly documents: readonly PlainConfigDocument[];
            readonly errors: readonly string[];
            readonly warnings: readonly string[];
            readonly diff?: string;
          };
    }
  | { readonly id: number; readonly error: string };

export interface WorkerRequest {
  readonly id: number;
  readonly request: ConfigCheckRequest;
}

/** The worker thread's side: one request at a time, in order. */
export function answer(message: WorkerRequest): WorkerReply {
  try {
    const result = checkConfig(message.request);
    if (!result.ok) return { id: message.id, result };
    const { documents, ...rest } = result;
    return { id: message.id, result: { ...rest, documents: plainDocuments(documents.documents) } };
  } catch (err) {
    return { id: message.id, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The config is beyond what the worker could hold (its heap ran out). */
export class ConfigTooComplexError extends TalosError {
  override readonly name = "ConfigTooComplexError";

  constructor() {
    super("invalid", "config is too complex: loading it ran out of memory");
  }
}

function distDirectory(): string {
  const here = fileURLToPath(import.meta.url);
  // Bundled, this module is dist/talos-node.cjs; from source, src/node/machine/config-worker.ts.
  return here.endsWith(".cjs") ? path.dirname(here) : path.resolve(path.dirname(here), "../../../dist");
}

interface Pending {
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * One worker thread per process (started on first use), shared by every node the process
 * emulates. Requests queue on it; a worker that dies fails what it held and is replaced on the
 * next request.
 */
export class ConfigChecker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly options: { readonly inlineBytes?: number; readonly bundle?: string } = {}) {}

  async check(request: ConfigCheckRequest): Promise<ConfigCheckResult> {
    if (request.data.byteLength <= (this.options.inlineBytes ?? INLINE_CHECK_BYTES))
      return checkConfig(request);
    const reply = await this.send(request);
    if ("error" in reply) throw new TalosError("internal", `config check failed: ${reply.error}`);
    const result = reply.result;
    if (!result.ok) return result;
    return { ...result, documents: unlocated(result.documents) };
  }

  /** Stops the worker (tests; the process's exit stops it too). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private send(request: ConfigCheckRequest): Promise<WorkerReply> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, request } satisfies WorkerRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const bundle = this.options.bundle ?? path.join(distDirectory(), CONFIG_WORKER_BUNDLE);
    if (!fs.existsSync(bundle)) {
      throw new TalosError(
        "internal",
        `the config worker is not built: ${bundle} is missing (run "npm run build")`,
      );
    }
    const worker = new Worker(bundle, { resourceLimits: { maxOldGenerationSizeMb: CONFIG_WORKER_HEAP_MB } });
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      waiter?.resolve(reply);
    });
    const fail = (err: unknown) => {
      if (this.worker === worker) this.worker = undefined;
      const outOfMemory = (err as { code?: string } | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
      for (const waiter of this.pending.values()) {
        waiter.reject(
          outOfMemory
            ? new ConfigTooComplexError()
            : new TalosError("internal", `config worker stopped: ${String(err)}`),
        );
      }
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** Documents whose source positions stayed on the worker (its messages already carry them). */
function unlocated(documents: readonly PlainConfigDocument[]): MachineConfigDocuments {
  return {
    documents: documents.map(
      (d): ConfigDocument => ({
        ...d,
        position: () => undefined,
      }),
    ),
  };
}

let shared: ConfigChecker | undefined;

/** The process's config checker. */
export function configChecker(): ConfigChecker {
  shared ??= new ConfigChecker();
  return shared;
}
