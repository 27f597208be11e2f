import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CoalescingWriter, LineBuffer, streamNodes, writeWithBackpressure } from "./streams.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("LineBuffer", () => {
  it("prefixes whole lines and holds a partial line until its newline arrives", () => {
    const b = new LineBuffer(Buffer.from("n1: "));
    expect(b.push(bytes("one\ntw"))?.toString()).toBe("n1: one\n");
    expect(b.push(bytes("o"))).toBeUndefined();
    expect(b.push(bytes("\nthree\nfour\n"))?.toString()).toBe("n1: two\nn1: three\nn1: four\n");
    expect(b.flush()).toBeUndefined();
    b.push(bytes("tail"));
    expect(b.flush()?.toString()).toBe("n1: tail\n");
    expect(b.flush()).toBeUndefined();
  });

  it("prints an endless line in pieces rather than holding it all", () => {
    const b = new LineBuffer();
    const piece = Buffer.alloc(256 * 1024, 0x61);
    const out: Buffer[] = [];
    for (let i = 0; i < 9; i++) {
      const got = b.push(piece);
      if (got) out.push(got);
    }
    // Past 1 MiB the held bytes go out as a line of their own; the rest waits as usual.
    expect(out.map((o) => o.length)).toEqual([5 * 256 * 1024 + 1]);
    expect(b.flush()?.length).toBe(4 * 256 * 1024 + 1);
  });

  it("keeps a multi-byte character whole across chunks", () => {
    const b = new LineBuffer(Buffer.from("> "));
    const text = Buffer.from("héllo wörld\n");
    const parts = [text.subarray(0, 2), text.subarray(2, 8), text.subarray(8)];
    const out = parts.map((p) => b.push(p)).filter((x) => x !== undefined);
    expect(Buffer.concat(out).toString("utf8")).toBe("> héllo wörld\n");
  });

  it("gives each line once, in order, over thousands of random chunk boundaries", () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"x".repeat(i % 37)}`);
    const all = Buffer.from(`${lines.join("\n")}\n`);
    const b = new LineBuffer();
    const out: Buffer[] = [];
    let pos = 0;
    let seed = 7;
    while (pos < all.length) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (seed % 300);
      const got = b.push(all.subarray(pos, pos + n));
      if (got) out.push(got);
      pos += n;
    }
    expect(LineBuffer.lines(Buffer.concat(out))).toEqual(lines);
  });
});

describe("writeWithBackpressure", () => {
  it("waits for drain when the stream is full, and not otherwise", async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const out = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _e, cb) {
        written.push(chunk.toString());
        release = cb;
      },
    });
    let done = false;
    const p = writeWithBackpressure(out, "12345678").then(() => {
      done = true;
    });
    // Gives a write that wrongly did not wait for the drain the time to finish: it must not.
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    release?.();
    await p;
    expect(done).toBe(true);
    await writeWithBackpressure({ write: () => true }, "x");
  });

  it("stops waiting when the command is cancelled", async () => {
    const out = new Writable({ highWaterMark: 1, write() {} });
    const ac = new AbortController();
    const p = writeWithBackpressure(out, "xx", ac.signal);
    ac.abort();
    await expect(p).resolves.toBeUndefined();
  });
});

describe("CoalescingWriter", () => {
  /** An output that records each write and reports full after `capacity` writes until drained. */
  function recorder(capacity = Number.POSITIVE_INFINITY) {
    const writes: string[] = [];
    const out = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done) {
        writes.push(chunk.toString());
        // Completes later: the stream reports full meanwhile.
        setTimeout(done, writes.length > capacity ? 20 : 0);
      },
    });
    return { out, writes };
  }

  it("gathers the chunks of one turn into one write, in order", async () => {
    const { out, writes } = recorder();
    const w = new CoalescingWriter(out);
    for (let i = 0; i < 100; i++) await w.write(`line ${i}\n`);
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBe(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(""));
  });

  it("writes a batch once it reaches the limit, and flush() writes the rest at once", async () => {
    const { out, writes } = recorder();
    const w = new CoalescingWriter(out, undefined, 10);
    await w.write("12345");
    await w.write("67890");
    expect(writes).toEqual(["1234567890"]);
    await w.write(new Uint8Array([97, 98]));
    await w.flush();
    expect(writes).toEqual(["1234567890", "ab"]);
  });

  it("waits while the output has not drained, without losing or reordering anything", async () => {
    const { out, writes } = recorder(0);
    const w = new CoalescingWriter(out, undefined, 4);
    const all: string[] = [];
    for (let i = 0; i < 20; i++) {
      const piece = String.fromCharCode(97 + i).repeat(3);
      all.push(piece);
      await w.write(piece);
    }
    await w.flush();
    await new Promise<void>((r) => out.end(r));
    expect(writes.join("")).toBe(all.join(""));
    expect(writes.length).toBeGreaterThan(1);
  });
});

describe("streamNodes", () => {
  async function* messages(items: string[], failAfter?: Error): AsyncIterable<string> {
    for (const i of items) {
      // A node whose messages trickle in, so the nodes' messages interleave.
      await new Promise((r) => setTimeout(r, 1));
      yield i;
    }
    if (failAfter) throw failAfter;
  }

  it("reads every node at once, keeps each node's order and collects failures per node", async () => {
    const got: string[] = [];
    const ends: string[] = [];
    const results = await streamNodes(
      ["a", "b"],
      (node) => (node === "a" ? messages(["a1", "a2", "a3"]) : messages(["b1"], new Error("boom"))),
      (_node, m) => {
        got.push(m);
      },
      { signal: new AbortController().signal, onEnd: (node, end) => void ends.push(`${node}:${end}`) },
    );
    expect(got.filter((m) => m.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(got).toContain("b1");
    const b = results.find((r) => r.node === "b");
    expect(b?.ok).toBe(false);
    expect(!b?.ok && b?.error.message).toMatch(/boom/);
    expect(results.find((r) => r.node === "a")?.ok).toBe(true);
    expect(ends.sort()).toEqual(["a:completed", "b:failed"]);
  });

  it("treats the command's cancellation as a normal end", async () => {
    const ac = new AbortController();
    async function* forever(): AsyncIterable<number> {
      for (let i = 0; ; i++) {
        if (ac.signal.aborted) throw new Error("aborted");
        await new Promise((r) => setTimeout(r, 2));
        yield i;
      }
    }
    let ended = "";
    const results = await streamNodes(
      ["x"],
      () => forever(),
      (_n, i) => {
        if (i === 5) ac.abort();
      },
      {
        signal: ac.signal,
        onEnd: (_n, end) => {
          ended = end;
        },
      },
    );
    expect(results[0]?.ok).toBe(true);
    expect(ended).toBe("canceled");
  });
});
