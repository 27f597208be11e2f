// The emulated kernel ring buffer behind Dmesg: records with a facility, a priority and a
// microsecond timestamp since boot, bounded in bytes like the kernel's log buffer (oldest
// records drop first). A reader that needs a record already dropped gets FellBehindError.
import { FellBehindError, Waiters } from "../streams/index.js";

/** Bytes of record text the buffer holds (a kernel built with a 256 KiB log buffer). */
export const KMSG_BUFFER_BYTES = 256 * 1024;
/** Per-record overhead the kernel's buffer spends besides the text. */
const RECORD_OVERHEAD = 16;

export const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;
export type Facility = (typeof FACILITIES)[number];

export const PRIORITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface KmsgRecord {
  readonly seq: number;
  readonly facility: Facility;
  readonly priority: Priority;
  /** Microseconds since boot. */
  readonly usec: number;
  readonly text: string;
}

export class KernelLog {
  private records: KmsgRecord[] = [];
  /** Index in `records` of the oldest record held. */
  private head = 0;
  private nextSeq = 0;
  private bytes = 0;
  private readonly waiters = new Waiters();

  constructor(
    /** Wall-clock time of the kernel's clock zero. */
    readonly bootTime: Date,
    private readonly now: () => Date = () => new Date(),
    private readonly capacity = KMSG_BUFFER_BYTES,
  ) {}

  /** Sequence number of the oldest record held. */
  get firstSeq(): number {
    return this.records[this.head]?.seq ?? this.nextSeq;
  }

  /** Sequence number the next record gets. */
  get endSeq(): number {
    return this.nextSeq;
  }

  get waiting(): number {
    return this.waiters.size;
  }

  /** Appends a record stamped now (or `usec` after boot when given, for the boot transcript). */
  write(facility: Facility, priority: Priority, text: string, usec?: number): KmsgRecord {
    const at = usec ?? Math.max(0, Math.round((this.now().getTime() - this.bootTime.getTime()) * 1000));
    const last = this.records[this.records.length - 1];
    const record: KmsgRecord = {
      seq: this.nextSeq++,
      facility,
      priority,
      // The kernel clock never goes backwards.
      usec: last && at < last.usec ? last.usec : at,
      text,
    };
    this.records.push(record);
    this.bytes += record.text.length + RECORD_OVERHEAD;
    while (this.bytes > this.capacity && this.head < this.records.length - 1) {
      const dropped = this.records[this.head++]!;
      this.bytes -= dropped.text.length + RECORD_OVERHEAD;
    }
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
    this.waiters.wake();
    return record;
  }

  /** The record with `seq`; FellBehindError once dropped; undefined when not written yet. */
  at(seq: number): KmsgRecord | undefined {
    const first = this.firstSeq;
    if (seq < first) {
      throw new FellBehindError(
        "kernel log",
        `${first - seq} records were overwritten before they could be sent`,
      );
    }
    return this.records[this.head + (seq - first)];
  }

  async waitBeyond(seq: number, signal: AbortSignal): Promise<void> {
    while (seq >= this.nextSeq && !signal.aborted) await this.waiters.wait(signal);
  }

  /** The text Dmesg sends for a record: `kern:    info: [<time>]: <message>` and a newline. */
  format(record: KmsgRecord): string {
    const ns = BigInt(this.bootTime.getTime()) * 1_000_000n + BigInt(record.usec) * 1000n;
    return `${record.facility}: ${record.priority.padStart(7)}: [${rfc3339Nano(ns)}]: ${record.text}\n`;
  }
}

/** A reader of the kernel log (`tail` = only records written after it opened). */
export class KmsgCursor {
  private seq: number;
  private readonly stopAt: number | undefined;

  constructor(
    private readonly log: KernelLog,
    options: { follow: boolean; tail: boolean },
  ) {
    this.seq = options.tail ? log.endSeq : log.firstSeq;
    this.stopAt = options.follow ? undefined : log.endSeq;
  }

  async next(signal: AbortSignal): Promise<KmsgRecord | undefined> {
    while (!signal.aborted) {
      if (this.stopAt !== undefined && this.seq >= this.stopAt) return undefined;
      const record = this.log.at(this.seq);
      if (record) {
        this.seq++;
        return record;
      }
      await this.log.waitBeyond(this.seq, signal);
    }
    return undefined;
  }
}

/** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros, `Z` for the zone. */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${base}${frac ? `.${frac}` : ""}Z`;
}
