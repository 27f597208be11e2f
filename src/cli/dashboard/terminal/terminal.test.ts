import { describe, expect, it } from "vitest";
import { Canvas, Color, split, style } from "./canvas.js";
import { decodeKeys } from "./keys.js";
import { AnsiRenderer, PlainRenderer } from "./renderer.js";

function sink() {
  const chunks: string[] = [];
  return {
    chunks,
    write: (c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    },
  };
}

describe("decodeKeys", () => {
  it("reads F1-F3 in the xterm, VT220 and Linux console forms", () => {
    for (const seq of ["\x1bOP", "\x1b[11~", "\x1b[[A", "\x1b[1;2P"])
      expect(decodeKeys(seq)).toEqual([{ name: "f1" }]);
    expect(decodeKeys("\x1bOQ\x1b[13~\x1b[[C")).toEqual([{ name: "f2" }, { name: "f3" }, { name: "f3" }]);
  });

  it("reads arrows, paging, control keys and characters in one chunk", () => {
    expect(decodeKeys("\x1b[D\x1bOC\x1b[5~\x03\x1ahé[")).toEqual([
      { name: "left" },
      { name: "right" },
      { name: "pageup" },
      { name: "ctrl-c" },
      { name: "ctrl-z" },
      { name: "char", char: "h" },
      { name: "char", char: "é" },
      { name: "char", char: "[" },
    ]);
    expect(decodeKeys("\r\x7f\x1b")).toEqual([{ name: "enter" }, { name: "backspace" }, { name: "escape" }]);
  });

  it("swallows sequences it does not know", () => {
    expect(decodeKeys("\x1b[200~q")).toEqual([{ name: "char", char: "q" }]);
  });
});

describe("Canvas", () => {
  it("clips text and shows control and wide characters as one cell each", () => {
    const c = new Canvas(6, 2);
    expect(c.text(4, 0, "abcdef")).toBe(2);
    c.text(0, 1, "a\tb漢c");
    expect(c.rows()).toEqual(["    ab", "a b?c"]);
  });

  it("splits lengths by weight, handing out the remainder from the left", () => {
    expect(split(80, [3, 2, 3])).toEqual([30, 20, 30]);
    expect(split(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });
});

describe("AnsiRenderer", () => {
  it("paints the first frame in full, then only the cells that changed", () => {
    const out = sink();
    const r = new AnsiRenderer(out);
    const a = new Canvas(20, 3);
    a.text(0, 0, "hello world");
    a.text(0, 2, "status", style(Color.green));
    r.render(a);
    expect(out.chunks[0]).toContain("\x1b[2J");
    expect(out.chunks[0]).toContain("hello world");
    const b = new Canvas(20, 3);
    b.text(0, 0, "hello there");
    b.text(0, 2, "status", style(Color.green));
    r.render(b);
    // Row 1, from column 7: "there" replaces "world"; nothing else is sent.
    expect(out.chunks[1]).toBe("\x1b[1;7H\x1b[0mthere\x1b[0m");
    r.render(b);
    expect(out.chunks).toHaveLength(2);
  });

  it("repaints everything after a resize or an invalidation", () => {
    const out = sink();
    const r = new AnsiRenderer(out);
    r.render(new Canvas(10, 2));
    r.render(new Canvas(12, 2));
    expect(out.chunks[1]).toContain("\x1b[2J");
    r.invalidate();
    r.render(new Canvas(12, 2));
    expect(out.chunks[2]).toContain("\x1b[2J");
  });

  it("sends colours as SGR and none when colour is off", () => {
    const c = new Canvas(8, 1);
    c.text(0, 0, "ok", style(Color.red, true));
    const coloured = sink();
    new AnsiRenderer(coloured).render(c);
    expect(coloured.chunks[0]).toContain("\x1b[0;1;31mok");
    const plain = sink();
    new AnsiRenderer(plain, false).render(c);
    expect(plain.chunks[0]).not.toContain("31m");
  });
});

describe("PlainRenderer", () => {
  it("prints a frame as text only when its text changed", () => {
    const out = sink();
    const r = new PlainRenderer(out);
    const c = new Canvas(10, 3);
    c.text(0, 0, "one", style(Color.red));
    r.render(c);
    r.render(c);
    expect(out.chunks).toEqual(["one\n\n"]);
  });
});
