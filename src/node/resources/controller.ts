// Small controllers in the manner of Talos's controller runtime: each owns some resources and
// derives them from named inputs of the machine (its config, platform, hardware, boot state,
// META) and from resources other controllers own. A run declares the resources that should
// exist; the runtime writes them (versions bump only when a spec, label or annotation changes,
// with the controller as owner) and destroys what the controller owned before but no longer
// declares. A controller runs at start, whenever one of its inputs is reported changed, and
// whenever a resource type it reads changes.
import { errorMessage } from "../../errors.js";
import type { ResourceKind } from "./kinds.js";
import type { Resource, ResourceStore } from "./store.js";

export interface PutOptions {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What a run sees: the machine's inputs, the resources it reads, and where it declares outputs. */
export interface ControllerContext<S> {
  readonly source: S;
  /** This resource should exist with this spec. */
  put<T>(kind: ResourceKind<T>, namespace: string, id: string, spec: T, options?: PutOptions): void;
  /** Reads resources (of types listed in `reads`, so that their changes re-run this controller). */
  list(namespace: string, type: string): Resource[];
  get(namespace: string, type: string, id: string): Resource | undefined;
}

export interface Controller<S> {
  /** Talos's controller name, which becomes the owner of its resources (`network.LinkStatusController`). */
  readonly name: string;
  /** The owner its resources carry, when not the name (resources Talos writes outside a controller have none). */
  readonly owner?: string;
  /** Machine inputs (names the machine reports changes of). */
  readonly inputs: readonly string[];
  /** Resource types whose changes re-run the controller. */
  readonly reads?: readonly { readonly namespace: string; readonly type: string }[];
  run(ctx: ControllerContext<S>): void;
}

/** Runs that may follow one change before the runtime assumes two controllers feed each other. */
const MAX_RUNS_PER_CHANGE = 1_000;

interface Owned {
  readonly kind: ResourceKind;
  readonly namespace: string;
  readonly id: string;
}

export class ControllerRuntime<S> {
  private readonly owned = new Map<Controller<S>, Map<string, Owned>>();
  private readonly dirty = new Set<Controller<S>>();
  private readonly unwatch: (() => void)[] = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly store: ResourceStore,
    private readonly source: S,
    private readonly controllers: readonly Controller<S>[],
    private readonly log: (line: string) => void = () => undefined,
  ) {
    for (const c of controllers) {
      this.owned.set(c, new Map());
      for (const r of c.reads ?? []) {
        this.unwatch.push(store.watch(r, () => this.mark(c)));
      }
    }
  }

  /** Runs every controller once. */
  start(): void {
    for (const c of this.controllers) this.dirty.add(c);
    this.drain();
  }

  /** Inputs changed: the controllers that read them run again (before this returns). */
  changed(...inputs: string[]): void {
    for (const c of this.controllers) if (c.inputs.some((i) => inputs.includes(i))) this.dirty.add(c);
    this.drain();
  }

  close(): void {
    this.closed = true;
    for (const u of this.unwatch) u();
    this.dirty.clear();
  }

  private mark(c: Controller<S>): void {
    if (this.closed) return;
    this.dirty.add(c);
    // A store change made outside a drain (another publisher) re-runs readers right away.
    if (!this.draining) this.drain();
  }

  private drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    try {
      let runs = 0;
      while (this.dirty.size > 0 && !this.closed) {
        if (++runs > MAX_RUNS_PER_CHANGE) {
          const names = [...this.dirty].map((c) => c.name).join(", ");
          this.dirty.clear();
          throw new Error(`controllers keep re-running each other: ${names}`);
        }
        const c = this.controllers.find((x) => this.dirty.has(x))!;
        this.dirty.delete(c);
        this.runOne(c);
      }
    } finally {
      this.draining = false;
    }
  }

  private runOne(c: Controller<S>): void {
    const wanted = new Map<string, Owned & { spec: unknown; options: PutOptions }>();
    const ctx: ControllerContext<S> = {
      source: this.source,
      put: (kind, namespace, id, spec, options = {}) => {
        wanted.set(ownedKey(kind.definition.type, namespace, id), {
          kind: kind as ResourceKind,
          namespace,
          id,
          spec,
          options,
        });
      },
      list: (namespace, type) => this.store.list(namespace, type),
      get: (namespace, type, id) => this.store.get(namespace, type, id),
    };
    try {
      c.run(ctx);
    } catch (err) {
      // As Talos's runtime: a failing controller logs and keeps what it had.
      this.log(`controller failed: ${c.name}: ${errorMessage(err)}`);
      return;
    }
    const before = this.owned.get(c)!;
    const after = new Map<string, Owned>();
    for (const [k, w] of wanted) {
      this.store.set(w.kind, w.namespace, w.id, w.spec, {
        owner: c.owner ?? c.name,
        labels: w.options.labels ?? {},
        annotations: w.options.annotations ?? {},
      });
      after.set(k, { kind: w.kind, namespace: w.namespace, id: w.id });
    }
    for (const [k, o] of before) {
      if (!after.has(k)) this.store.remove(o.namespace, o.kind.definition.type, o.id);
    }
    this.owned.set(c, after);
  }
}

function ownedKey(type: string, namespace: string, id: string): string {
  return `${namespace}\u0000${type}\u0000${id}`;
}
