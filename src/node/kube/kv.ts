// The key/value store the emulated Kubernetes control plane keeps its objects in: etcd's data
// model (one revision counter for the whole store; each key has its create and mod revision and
// a version), transactions guarded by mod revisions, ranges by prefix and watches by prefix
// from a revision. The API servers of every control plane and the kubelets of every node use
// one store per cluster, so they see one `resourceVersion` sequence.

export interface KvEntry {
  readonly key: string;
  /** The stored value (a JSON object's text for Kubernetes objects). */
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  /** How many times the key was written since it was created (1 on creation). */
  readonly version: number;
}

export interface KvEvent {
  readonly type: "put" | "delete";
  readonly key: string;
  /** The store's revision this event made. */
  readonly revision: number;
  /** The new entry of a put. */
  readonly entry?: KvEntry;
  /** The entry before the change, when there was one. */
  readonly prev?: KvEntry;
}

/** A transaction's guard: the key's mod revision must be this (0: the key must not exist). */
export interface KvCompare {
  readonly key: string;
  readonly modRevision: number;
}

export type KvOp =
  | { readonly type: "put"; readonly key: string; readonly value: string }
  | { readonly type: "delete"; readonly key: string };

export interface KvTxnResult {
  readonly succeeded: boolean;
  /** The store's revision after the transaction (unchanged when it failed). */
  readonly revision: number;
  /** Per compare: the key's entry when the transaction was evaluated (the new one when it succeeded). */
  readonly entries: readonly (KvEntry | undefined)[];
}

export interface KvRange {
  readonly entries: readonly KvEntry[];
  readonly revision: number;
  /** More keys follow the last one returned. */
  readonly more: boolean;
}

export interface KvWatch {
  cancel(): void;
}

/** A watch asked for events older than the store still holds (Kubernetes answers 410 Gone). */
export class KvCompactedError extends Error {
  override readonly name = "KvCompactedError";
  constructor(readonly oldest: number) {
    super(`required revision has been compacted (oldest available ${oldest})`);
  }
}

export interface KubeKv {
  /** The current revision (0 for an empty store that was never written). */
  revision(): Promise<number>;
  get(key: string): Promise<{ entry: KvEntry | undefined; revision: number }>;
  /** Keys under `prefix` in key order, from `startAfter` (exclusive), at most `limit` (0: all). */
  range(prefix: string, options?: { startAfter?: string; limit?: number }): Promise<KvRange>;
  /** Applies `ops` atomically if every compare holds. */
  txn(compares: readonly KvCompare[], ops: readonly KvOp[]): Promise<KvTxnResult>;
  /**
   * Calls `listener` with every change under `prefix` after `afterRevision`, in revision order,
   * first with the history the store still holds. Throws KvCompactedError when that history
   * no longer reaches back to `afterRevision`.
   */
  watch(prefix: string, afterRevision: number, listener: (events: readonly KvEvent[]) => void): KvWatch;
  /** Releases the store (the last user of a shared store closes it). */
  close(): void;
}
