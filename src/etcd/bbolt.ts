// The bbolt file format (go.etcd.io/bbolt), which etcd's backend and its snapshots use: a
// writer that lays out sorted buckets as a compact B+tree (leaf pages packed in key order,
// branch levels above them, overflow pages for large nodes, a freelist naming the free pages),
// and a reader that walks any bbolt file (inline buckets included) and checks it the way
// bbolt's Tx.Check does: every page below the high-water mark reachable once or free, keys in
// order. Layout facts: siderolabs/talos snapshots are read with go.etcd.io/bbolt's page.go,
// meta.go and tx_check.go.

/** bbolt's page size on the platforms Talos runs on. */
export const BOLT_PAGE_SIZE = 4096;
const MAGIC = 0xed0cdaed;
const VERSION = 2;
const PAGE_HEADER = 16;
const LEAF_ELEMENT = 16;
const BRANCH_ELEMENT = 16;
const BUCKET_HEADER = 16;
const FLAG_BRANCH = 0x01;
const FLAG_LEAF = 0x02;
const FLAG_META = 0x04;
const FLAG_FREELIST = 0x10;
const BUCKET_LEAF_FLAG = 0x01;
const META_SIZE = 64;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

export interface BoltBucket {
  readonly name: Buffer;
  /** Key/value pairs sorted by key (byte order), keys unique. */
  readonly entries: readonly (readonly [Buffer, Buffer])[];
}

export interface BoltLayout {
  /** Pages 0 .. the last used page, fully written. */
  readonly head: Buffer;
  /** Free pages after `head` (their contents do not matter: zeros). */
  readonly freePages: number;
  readonly pageSize: number;
  /** head.length + freePages * pageSize. */
  readonly size: number;
}

function fnv1a64(bytes: Uint8Array): bigint {
  let h = FNV_OFFSET;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = BigInt.asUintN(64, h * FNV_PRIME);
  }
  return h;
}

/** Byte-order comparison, as Go's bytes.Compare. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

interface Node {
  readonly leaf: boolean;
  /** Leaf: [key, value, flags]; branch: [first key of child, child node]. */
  readonly items: readonly LeafItem[] | readonly BranchItem[];
  size: number;
  pgid: number;
  overflow: number;
}
type LeafItem = { readonly key: Buffer; readonly value: Buffer; readonly flags: number };
type BranchItem = { readonly key: Buffer; readonly child: Node };

function pagesFor(bytes: number, pageSize: number): number {
  return Math.max(1, Math.ceil(bytes / pageSize));
}

/** Packs items into nodes of at most one page each (a single oversized item gets its own node). */
function pack<T extends { key: Buffer }>(
  items: readonly T[],
  elementSize: number,
  itemBytes: (item: T) => number,
  pageSize: number,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let size = PAGE_HEADER;
  for (const item of items) {
    const add = elementSize + itemBytes(item);
    // bbolt keeps at least two keys per page when it can; one is enough for a valid file.
    if (current.length > 0 && (size + add > pageSize || current.length === 0xffff)) {
      groups.push(current);
      current = [];
      size = PAGE_HEADER;
    }
    current.push(item);
    size += add;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups;
}

function leafNode(items: readonly LeafItem[]): Node {
  let size = PAGE_HEADER;
  for (const it of items) size += LEAF_ELEMENT + it.key.length + it.value.length;
  return { leaf: true, items, size, pgid: 0, overflow: 0 };
}

function branchNode(items: readonly BranchItem[]): Node {
  let size = PAGE_HEADER;
  for (const it of items) size += BRANCH_ELEMENT + it.key.length;
  return { leaf: false, items, size, pgid: 0, overflow: 0 };
}

function firstKey(node: Node): Buffer {
  return (node.items[0] as { key: Buffer } | undefined)?.key ?? Buffer.alloc(0);
}

/** A B+tree over sorted leaf items: the root node and every node in allocation order. */
function buildTree(items: readonly LeafItem[], pageSize: number): { root: Node; nodes: Node[] } {
  let level = pack(items, LEAF_ELEMENT, (it) => it.key.length + it.value.length, pageSize).map(leafNode);
  const nodes: Node[] = [...level];
  while (level.length > 1) {
    const branches: BranchItem[] = level.map((child) => ({ key: firstKey(child), child }));
    level = pack(branches, BRANCH_ELEMENT, (it) => it.key.length, pageSize).map(branchNode);
    nodes.push(...level);
  }
  return { root: level[0]!, nodes };
}

function writeNode(buf: Buffer, node: Node, pageSize: number): void {
  const off = node.pgid * pageSize;
  buf.writeBigUInt64LE(BigInt(node.pgid), off);
  buf.writeUInt16LE(node.leaf ? FLAG_LEAF : FLAG_BRANCH, off + 8);
  buf.writeUInt16LE(node.items.length, off + 10);
  buf.writeUInt32LE(node.overflow, off + 12);
  writeElements(buf, off, node);
}

/** Writes a node's elements after the page header at `off` (a page, or an inline bucket's page). */
function writeElements(buf: Buffer, off: number, node: Node): void {
  const n = node.items.length;
  let data = off + PAGE_HEADER + n * (node.leaf ? LEAF_ELEMENT : BRANCH_ELEMENT);
  for (let i = 0; i < n; i++) {
    const el = off + PAGE_HEADER + i * (node.leaf ? LEAF_ELEMENT : BRANCH_ELEMENT);
    if (node.leaf) {
      const it = node.items[i] as LeafItem;
      buf.writeUInt32LE(it.flags, el);
      buf.writeUInt32LE(data - el, el + 4);
      buf.writeUInt32LE(it.key.length, el + 8);
      buf.writeUInt32LE(it.value.length, el + 12);
      it.key.copy(buf, data);
      it.value.copy(buf, data + it.key.length);
      data += it.key.length + it.value.length;
    } else {
      const it = node.items[i] as BranchItem;
      buf.writeUInt32LE(data - el, el);
      buf.writeUInt32LE(it.key.length, el + 4);
      buf.writeBigUInt64LE(BigInt(it.child.pgid), el + 8);
      it.key.copy(buf, data);
      data += it.key.length;
    }
  }
}

/** The value of a bucket entry in its parent: the bucket header, and for an inline bucket its page. */
function bucketValue(root: number, inline?: Node): Buffer {
  const value = Buffer.alloc(BUCKET_HEADER + (inline ? inline.size : 0));
  value.writeBigUInt64LE(BigInt(root), 0);
  if (inline) {
    value.writeUInt16LE(FLAG_LEAF, BUCKET_HEADER + 8);
    value.writeUInt16LE(inline.items.length, BUCKET_HEADER + 10);
    writeElements(value, BUCKET_HEADER, inline);
  }
  return value;
}

/**
 * Lays out `buckets` (sorted by name) as a bbolt file of at least `minPages` pages: empty
 * buckets inline, every other one in its own pages, free pages at the end.
 */
export function layoutBolt(
  buckets: readonly BoltBucket[],
  options: { minPages?: number; txid?: number; pageSize?: number } = {},
): BoltLayout {
  const pageSize = options.pageSize ?? BOLT_PAGE_SIZE;
  const trees = buckets.map((b) =>
    b.entries.length === 0
      ? { bucket: b, tree: undefined }
      : {
          bucket: b,
          tree: buildTree(
            b.entries.map(([key, value]) => ({ key, value, flags: 0 })),
            pageSize,
          ),
        },
  );
  let dataPages = 0;
  for (const { tree } of trees) {
    for (const node of tree?.nodes ?? []) dataPages += pagesFor(node.size, pageSize);
  }
  // The root bucket's own tree is sized before the page ids of the buckets are known: its
  // values have a fixed length, so the page ids can be filled in afterwards.
  const rootItems: LeafItem[] = trees.map(({ bucket, tree }) => ({
    key: bucket.name,
    value: tree ? Buffer.alloc(BUCKET_HEADER) : bucketValue(0, leafNode([])),
    flags: BUCKET_LEAF_FLAG,
  }));
  const rootTreeShape = buildTree(rootItems, pageSize);
  for (const node of rootTreeShape.nodes) dataPages += pagesFor(node.size, pageSize);

  const minPages = options.minPages ?? 0;
  let freelistPages = 1;
  let free = 0;
  for (let i = 0; i < 8; i++) {
    const used = 2 + freelistPages + dataPages;
    free = Math.max(0, minPages - used);
    const ids = free + (free >= 0xffff ? 1 : 0);
    const need = pagesFor(PAGE_HEADER + ids * 8, pageSize);
    if (need === freelistPages) break;
    freelistPages = need;
  }
  const headPages = 2 + freelistPages + dataPages;
  const total = headPages + free;
  const buf = Buffer.alloc(headPages * pageSize);

  // Allocate the bucket trees' pages, children before parents.
  let next = 2 + freelistPages;
  for (const { tree } of trees) {
    for (const node of tree?.nodes ?? []) {
      node.pgid = next;
      node.overflow = pagesFor(node.size, pageSize) - 1;
      next += node.overflow + 1;
    }
  }
  const filledRoot: LeafItem[] = trees.map(({ bucket, tree }, i) => ({
    key: bucket.name,
    value: tree ? bucketValue(tree.root.pgid) : rootItems[i]!.value,
    flags: BUCKET_LEAF_FLAG,
  }));
  const rootTree = buildTree(filledRoot, pageSize);
  for (const node of rootTree.nodes) {
    node.pgid = next;
    node.overflow = pagesFor(node.size, pageSize) - 1;
    next += node.overflow + 1;
  }
  for (const { tree } of trees) for (const node of tree?.nodes ?? []) writeNode(buf, node, pageSize);
  for (const node of rootTree.nodes) writeNode(buf, node, pageSize);

  // Freelist: the pages after the data.
  const fl = 2 * pageSize;
  buf.writeBigUInt64LE(2n, fl);
  buf.writeUInt16LE(FLAG_FREELIST, fl + 8);
  buf.writeUInt32LE(freelistPages - 1, fl + 12);
  let idOff = fl + PAGE_HEADER;
  if (free >= 0xffff) {
    buf.writeUInt16LE(0xffff, fl + 10);
    buf.writeBigUInt64LE(BigInt(free), idOff);
    idOff += 8;
  } else {
    buf.writeUInt16LE(free, fl + 10);
  }
  for (let i = 0; i < free; i++, idOff += 8) buf.writeBigUInt64LE(BigInt(headPages + i), idOff);

  // Two meta pages; the one with the higher transaction id is current.
  const txid = options.txid ?? 2;
  for (const page of [0, 1]) {
    const off = page * pageSize;
    buf.writeBigUInt64LE(BigInt(page), off);
    buf.writeUInt16LE(FLAG_META, off + 8);
    const m = off + PAGE_HEADER;
    buf.writeUInt32LE(MAGIC, m);
    buf.writeUInt32LE(VERSION, m + 4);
    buf.writeUInt32LE(pageSize, m + 8);
    buf.writeUInt32LE(0, m + 12);
    buf.writeBigUInt64LE(BigInt(rootTree.root.pgid), m + 16);
    buf.writeBigUInt64LE(0n, m + 24);
    buf.writeBigUInt64LE(2n, m + 32);
    buf.writeBigUInt64LE(BigInt(total), m + 40);
    buf.writeBigUInt64LE(BigInt(txid - 1 + page), m + 48);
    buf.writeBigUInt64LE(fnv1a64(buf.subarray(m, m + 56)), m + 56);
  }
  return { head: buf, freePages: free, pageSize, size: total * pageSize };
}

/** The whole file as one buffer (free pages zero-filled). */
export function writeBolt(buckets: readonly BoltBucket[], options: { minPages?: number } = {}): Buffer {
  const layout = layoutBolt(buckets, options);
  return Buffer.concat([layout.head, Buffer.alloc(layout.freePages * layout.pageSize)]);
}

/** Pages the compact layout of `buckets` takes (what a defragmented database would measure). */
export function compactPages(buckets: readonly BoltBucket[]): number {
  return layoutBolt(buckets).head.length / BOLT_PAGE_SIZE;
}

// ---------------------------------------------------------------------------------------------
// Reading

export class BoltError extends Error {
  override readonly name = "BoltError";
}

export interface BoltFile {
  readonly pageSize: number;
  /** The high-water mark: pages in use or free, as `Tx.Size()` counts them. */
  readonly pages: number;
  readonly txid: bigint;
  readonly buckets: BoltBucket[];
  /** What bbolt's Tx.Check would report (empty for a sound file). */
  readonly problems: string[];
}

interface Meta {
  pageSize: number;
  root: bigint;
  freelist: bigint;
  pgid: bigint;
  txid: bigint;
}

function readMeta(buf: Buffer, off: number): Meta | undefined {
  if (buf.length < off + PAGE_HEADER + META_SIZE) return undefined;
  const m = off + PAGE_HEADER;
  if (buf.readUInt32LE(m) !== MAGIC || buf.readUInt32LE(m + 4) !== VERSION) return undefined;
  if (fnv1a64(buf.subarray(m, m + 56)) !== buf.readBigUInt64LE(m + 56)) return undefined;
  return {
    pageSize: buf.readUInt32LE(m + 8),
    root: buf.readBigUInt64LE(m + 16),
    freelist: buf.readBigUInt64LE(m + 32),
    pgid: buf.readBigUInt64LE(m + 40),
    txid: buf.readBigUInt64LE(m + 48),
  };
}

/** Reads a bbolt file (trailing bytes after its pages are ignored, as bbolt ignores them). */
export function readBolt(buf: Buffer): BoltFile {
  if (buf.length < 2 * 1024) throw new BoltError(`file size too small ${buf.length}`);
  const m0 = readMeta(buf, 0);
  const m1 = m0 ? readMeta(buf, m0.pageSize) : undefined;
  const candidates = [m0, m1].filter((m): m is Meta => m !== undefined);
  if (candidates.length === 0) {
    // bbolt: the first meta page decides the page size; neither is valid.
    throw new BoltError("invalid database");
  }
  const meta = candidates.reduce((a, b) => (b.txid > a.txid ? b : a));
  const pageSize = meta.pageSize;
  const hwm = Number(meta.pgid);
  if (hwm * pageSize > buf.length) {
    throw new BoltError(
      `file size too small: the database needs ${hwm * pageSize} bytes, the file has ${buf.length}`,
    );
  }
  const problems: string[] = [];
  const pageAt = (id: number) => {
    const off = id * pageSize;
    if (id < 0 || off + PAGE_HEADER > buf.length) throw new BoltError(`page ${id}: out of bounds`);
    return {
      off,
      id: Number(buf.readBigUInt64LE(off)),
      flags: buf.readUInt16LE(off + 8),
      count: buf.readUInt16LE(off + 10),
      overflow: buf.readUInt32LE(off + 12),
    };
  };

  const freed = new Set<number>();
  const reachable = new Set<number>([0, 1]);
  if (meta.freelist !== 0xffffffffffffffffn) {
    const fl = pageAt(Number(meta.freelist));
    if (fl.flags !== FLAG_FREELIST) problems.push(`page ${fl.id}: invalid type: not a freelist page`);
    let count = fl.count;
    let idOff = fl.off + PAGE_HEADER;
    if (count === 0xffff) {
      count = Number(buf.readBigUInt64LE(idOff));
      idOff += 8;
    }
    for (let i = 0; i < count; i++) {
      const id = Number(buf.readBigUInt64LE(idOff + i * 8));
      if (freed.has(id)) problems.push(`page ${id}: already freed`);
      freed.add(id);
    }
    for (let i = 0; i <= fl.overflow; i++) reachable.add(Number(meta.freelist) + i);
  }

  const markPage = (id: number, stack: readonly number[]): ReturnType<typeof pageAt> => {
    const p = pageAt(id);
    if (p.id > hwm) problems.push(`page ${p.id}: out of bounds: ${hwm} (stack: [${stack.join(" ")}])`);
    for (let i = 0; i <= p.overflow; i++) {
      if (reachable.has(id + i))
        problems.push(`page ${id + i}: multiple references (stack: [${stack.join(" ")}])`);
      reachable.add(id + i);
    }
    if (freed.has(id)) problems.push(`page ${id}: reachable freed`);
    else if (p.flags !== FLAG_BRANCH && p.flags !== FLAG_LEAF) problems.push(`page ${id}: invalid type`);
    return p;
  };

  /** Leaf elements of a page (at byte offset `off` within `src`). */
  const leafItems = (src: Buffer, off: number, count: number): LeafItem[] => {
    const items: LeafItem[] = [];
    for (let i = 0; i < count; i++) {
      const el = off + PAGE_HEADER + i * LEAF_ELEMENT;
      const flags = src.readUInt32LE(el);
      const pos = el + src.readUInt32LE(el + 4);
      const ksize = src.readUInt32LE(el + 8);
      const vsize = src.readUInt32LE(el + 12);
      if (pos + ksize + vsize > src.length) throw new BoltError(`page element ${i}: out of bounds`);
      items.push({
        flags,
        key: Buffer.from(src.subarray(pos, pos + ksize)),
        value: Buffer.from(src.subarray(pos + ksize, pos + ksize + vsize)),
      });
    }
    return items;
  };

  /** Every leaf item under page `id`, in order, checking key order against the parent's bounds. */
  const walk = (
    id: number,
    stack: number[],
    min: Buffer | undefined,
    max: Buffer | undefined,
  ): LeafItem[] => {
    const p = markPage(id, stack);
    const here = [...stack, id];
    if (p.flags === FLAG_LEAF) {
      const items = leafItems(buf, p.off, p.count);
      let prev = min;
      for (const [i, it] of items.entries()) {
        if (
          prev !== undefined &&
          (i > 0 ? compareBytes(prev, it.key) >= 0 : compareBytes(prev, it.key) > 0)
        ) {
          problems.push(`key[${i}]=(hex)${it.key.toString("hex")} on leaf page(${id}) is out of order`);
        }
        if (max !== undefined && compareBytes(it.key, max) >= 0) {
          problems.push(
            `key[${i}]=(hex)${it.key.toString("hex")} on leaf page(${id}) is above its parent's bound`,
          );
        }
        prev = it.key;
      }
      return items;
    }
    if (p.flags !== FLAG_BRANCH) return [];
    const children: { key: Buffer; pgid: number }[] = [];
    for (let i = 0; i < p.count; i++) {
      const el = p.off + PAGE_HEADER + i * BRANCH_ELEMENT;
      const pos = el + buf.readUInt32LE(el);
      const ksize = buf.readUInt32LE(el + 4);
      children.push({
        key: Buffer.from(buf.subarray(pos, pos + ksize)),
        pgid: Number(buf.readBigUInt64LE(el + 8)),
      });
    }
    const out: LeafItem[] = [];
    for (const [i, c] of children.entries()) {
      const upper = i + 1 < children.length ? children[i + 1]!.key : max;
      out.push(...walk(c.pgid, here, c.key, upper));
    }
    return out;
  };

  const bucketItems = (value: Buffer, stack: number[]): LeafItem[] => {
    if (value.length < BUCKET_HEADER) throw new BoltError("invalid bucket header");
    const root = Number(value.readBigUInt64LE(0));
    if (root === 0) {
      // Inline bucket: its single leaf page follows the header.
      if (value.length < BUCKET_HEADER + PAGE_HEADER) return [];
      return leafItems(value, BUCKET_HEADER, value.readUInt16LE(BUCKET_HEADER + 10));
    }
    return walk(root, stack, undefined, undefined);
  };

  const buckets: BoltBucket[] = [];
  const rootItems = walk(Number(meta.root), [], undefined, undefined);
  for (const item of rootItems) {
    if ((item.flags & BUCKET_LEAF_FLAG) === 0) continue;
    const entries = bucketItems(item.value, [Number(meta.root)])
      // Nested buckets are not part of etcd's schema; their entries are skipped.
      .filter((e) => (e.flags & BUCKET_LEAF_FLAG) === 0)
      .map((e) => [e.key, e.value] as const);
    buckets.push({ name: item.key, entries });
  }
  for (let i = 0; i < hwm; i++) {
    if (!reachable.has(i) && !freed.has(i)) problems.push(`page ${i}: unreachable unfreed`);
  }
  return { pageSize, pages: hwm, txid: meta.txid, buckets, problems };
}
