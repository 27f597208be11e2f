// Service log buffers kept in memory, sized as Talos sizes them: per service, one raw chunk
// being written (grown from 16 KiB up to 64 KiB) plus up to 15 sealed 64 KiB chunks kept
// compressed, so about 1 MiB of raw log per service. The oldest chunk goes when a new one is
// sealed. Nothing is written to disk.
//
// Readers address the stream by absolute byte offset. A new reader never starts in the oldest
// retained chunk (one chunk of safety gap), and a follower whose next byte was dropped gets
// FellBehindError instead of a silent jump.
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { FellBehindError, FollowerPositions, Waiters } from "../streams/index.js";

/** Raw bytes per chunk. */
export const LOG_CHUNK_BYTES = 64 * 1024;
/** First allocation of the chunk being written. */
export const LOG_INITIAL_CHUNK_BYTES = 16 * 1024;
/** Sealed (compressed) chunks kept behind the one being written. */
export const LOG_SEALED_CHUNKS = 15;
/** Chunks at the old end that new readers skip, so they are not overrun at once. */
export const LOG_SAFETY_GAP_CHUNKS = 1;

const NEWLINE = 0x0a;

interface SealedChunk {
  /** Absolute offset of its first byte. */
  readonly start: number;
  readonly size: number;
  readonly compressed: Buffer;
}

/** Where a reader starts: a number of lines back from the end (0 = only new output), or everything. */
export type LogStart = { readonly tailLines: number } | "all";

export class LogRing {
  private current: Buffer = Buffer.allocUnsafe(LOG_INITIAL_CHUNK_BYTES);
  private currentLength = 0;
  private currentStart = 0;
  private readonly sealed: SealedChunk[] = [];
  private readonly waiters = new Waiters();
  /** Where the followers stand (a paced test burst waits for those still reading). */
  readonly followers = new FollowerPositions();
  /** One decompressed chunk, shared: readers mostly read the same chunk one after another. */
  private cache: { start: number; data: Buffer } | undefined;

  constructor(readonly id: string) {}

  /** Absolute offset just past the last byte written. */
  get end(): number {
    return this.currentStart + this.currentLength;
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return this.sealed[0]?.start ?? this.currentStart;
  }

  /** Whether a follower still reading lags more than half of what the ring holds. */
  followerLagging(): boolean {
    return this.followers.lagging(this.end, ((LOG_SEALED_CHUNKS + 1) * LOG_CHUNK_BYTES) / 2);
  }

  /** Readers parked waiting for new output. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Bytes of memory the buffer holds (raw chunk allocation plus compressed chunks). */
  get retainedBytes(): number {
    return this.current.length + this.sealed.reduce((n, c) => n + c.compressed.length, 0);
  }

  write(data: string | Uint8Array): void {
    let bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (bytes.length === 0) return;
    while (bytes.length > 0) {
      const room = LOG_CHUNK_BYTES - this.currentLength;
      const n = Math.min(room, bytes.length);
      this.ensureCapacity(this.currentLength + n);
      this.current.set(bytes.subarray(0, n), this.currentLength);
      this.currentLength += n;
      bytes = bytes.subarray(n);
      if (this.currentLength === LOG_CHUNK_BYTES) this.seal();
    }
    this.waiters.wake();
  }

  private ensureCapacity(size: number): void {
    if (size <= this.current.length) return;
    let next = this.current.length;
    while (next < size) next *= 2;
    const grown = Buffer.allocUnsafe(Math.min(LOG_CHUNK_BYTES, next));
    this.current.copy(grown, 0, 0, this.currentLength);
    this.current = grown;
  }

  private seal(): void {
    this.sealed.push({
      start: this.currentStart,
      size: this.currentLength,
      compressed: deflateRawSync(this.current.subarray(0, this.currentLength), { level: 1 }),
    });
    if (this.sealed.length > LOG_SEALED_CHUNKS) this.sealed.shift();
    this.currentStart += this.currentLength;
    this.currentLength = 0;
    // A fresh chunk: readers may still hold slices of the old one.
    this.current = Buffer.allocUnsafe(LOG_CHUNK_BYTES);
  }

  /** The oldest offset a new reader may start at: past the safety gap, at a line start. */
  oldestReadable(): number {
    if (this.sealed.length < LOG_SEALED_CHUNKS) return this.start;
    const first = this.sealed[LOG_SAFETY_GAP_CHUNKS]?.start ?? this.currentStart;
    return this.nextLineStart(first);
  }

  /** The offset a reader asking for `start` begins at. */
  startOffset(start: LogStart): number {
    const oldest = this.oldestReadable();
    if (start === "all") return oldest;
    if (start.tailLines <= 0) return this.end;
    return this.linesBack(start.tailLines, oldest);
  }

  /** Up to `max` bytes at `offset`; empty at the end; FellBehindError when already dropped. */
  read(offset: number, max: number): Uint8Array {
    if (offset < this.start) {
      throw new FellBehindError(
        `log "${this.id}"`,
        `${this.start - offset} bytes were overwritten before they could be sent`,
      );
    }
    if (offset >= this.end) return new Uint8Array(0);
    if (offset >= this.currentStart) {
      const from = offset - this.currentStart;
      return this.current.subarray(from, Math.min(this.currentLength, from + max));
    }
    const chunk = this.chunkAt(offset);
    const data = this.inflate(chunk);
    const from = offset - chunk.start;
    return data.subarray(from, Math.min(chunk.size, from + max));
  }

  /** Resolves when something is written after `offset` (or the signal aborts). */
  async waitBeyond(offset: number, signal: AbortSignal): Promise<void> {
    while (offset >= this.end && !signal.aborted) await this.waiters.wait(signal);
  }

  private chunkAt(offset: number): SealedChunk {
    let lo = 0;
    let hi = this.sealed.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.sealed[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.sealed[lo]!;
  }

  private inflate(chunk: SealedChunk): Buffer {
    if (this.cache?.start !== chunk.start)
      this.cache = { start: chunk.start, data: inflateRawSync(chunk.compressed) };
    return this.cache.data;
  }

  /** The first line start at or after `offset` (the end when no newline follows). */
  private nextLineStart(offset: number): number {
    if (offset === 0) return 0;
    let pos = offset;
    // The byte before `offset` ending a line means `offset` already starts one.
    const before = this.read(offset - 1, 1);
    if (before[0] === NEWLINE) return offset;
    while (pos < this.end) {
      const bytes = this.read(pos, LOG_CHUNK_BYTES);
      const nl = bytes.indexOf(NEWLINE);
      if (nl >= 0) return pos + nl + 1;
      pos += bytes.length;
    }
    return this.end;
  }

  /** The start of the `lines`-th line from the end, not before `oldest`. */
  private linesBack(lines: number, oldest: number): number {
    let pos = this.end;
    if (pos === oldest) return pos;
    // A final newline ends the last line; it does not start another one.
    let scanEnd = pos;
    if (this.read(pos - 1, 1)[0] === NEWLINE) scanEnd = pos - 1;
    let found = 0;
    while (scanEnd > oldest) {
      const segmentStart = this.segmentStart(scanEnd - 1, oldest);
      const bytes = this.read(segmentStart, scanEnd - segmentStart);
      let i = bytes.length - 1;
      while (i >= 0) {
        i = bytes.lastIndexOf(NEWLINE, i);
        if (i < 0) break;
        found++;
        if (found === lines) return segmentStart + i + 1;
        i--;
      }
      scanEnd = segmentStart;
    }
    pos = oldest;
    return pos;
  }

  /** Start of the stored segment (chunk) holding `offset`, not before `oldest`. */
  private segmentStart(offset: number, oldest: number): number {
    const start = offset >= this.currentStart ? this.currentStart : this.chunkAt(offset).start;
    return Math.max(start, oldest);
  }
}

/** A reader of one ring: non-follow readers stop at the end seen when they opened. */
export class LogCursor {
  private offset: number;
  private readonly stopAt: number | undefined;
  private tracked: ReturnType<FollowerPositions["track"]> | undefined;

  constructor(
    private readonly ring: LogRing,
    start: LogStart,
    follow: boolean,
  ) {
    this.offset = ring.startOffset(start);
    this.stopAt = follow ? undefined : ring.end;
  }

  get position(): number {
    return this.offset;
  }

  /**
   * The next bytes (at most `max`), waiting for output when following; undefined at the end
   * of a snapshot or when the signal aborts. Throws FellBehindError after an overrun.
   */
  async next(max: number, signal: AbortSignal): Promise<Uint8Array | undefined> {
    if (this.stopAt === undefined) this.tracked ??= this.ring.followers.track(this.offset, signal);
    while (!signal.aborted) {
      const limit = this.stopAt === undefined ? max : Math.min(max, this.stopAt - this.offset);
      if (limit <= 0) return undefined;
      let bytes: Uint8Array;
      try {
        bytes = this.ring.read(this.offset, limit);
      } catch (err) {
        this.tracked?.release();
        throw err;
      }
      if (bytes.length > 0) {
        this.offset += bytes.length;
        this.tracked?.moved(this.offset);
        return bytes;
      }
      if (this.stopAt !== undefined) return undefined;
      await this.ring.waitBeyond(this.offset, signal);
    }
    return undefined;
  }
}

/** The machine's service logs: one ring per id, created on the first write (as Talos does). */
export class LogManager {
  private readonly rings = new Map<string, LogRing>();

  /** The ring of `id`, creating it. */
  ring(id: string): LogRing {
    let ring = this.rings.get(id);
    if (!ring) {
      ring = new LogRing(id);
      this.rings.set(id, ring);
    }
    return ring;
  }

  get(id: string): LogRing | undefined {
    return this.rings.get(id);
  }

  write(id: string, text: string | Uint8Array): void {
    this.ring(id).write(text);
  }

  /** Ids with a buffer (unordered, as Talos lists them). */
  ids(): string[] {
    return [...this.rings.keys()];
  }

  /** Readers parked on any ring. */
  get waiting(): number {
    let n = 0;
    for (const r of this.rings.values()) n += r.waiting;
    return n;
  }
}
