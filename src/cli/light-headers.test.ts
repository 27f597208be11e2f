import { describe, expect, it } from "vitest";
import { installLightHeaders, LightHeaders } from "./light-headers.js";

/** Runs the same steps on the platform's Headers and on LightHeaders; both must agree. */
function both(steps: (h: Headers) => void): { real: [string, string][]; light: [string, string][] } {
  const real = new Headers();
  const light = new LightHeaders() as unknown as Headers;
  steps(real);
  steps(light);
  return { real: [...real], light: [...light] };
}

describe("LightHeaders", () => {
  it("behaves as the platform's Headers for appends, sets, deletes and iteration", () => {
    const { real, light } = both((h) => {
      h.append("Content-Type", "application/grpc");
      h.append("grpc-status", " 0 ");
      h.append("X-Multi", "a");
      h.append("x-multi", "b");
      h.set("TE", "trailers");
      h.append("Set-Cookie", "a=1");
      h.append("set-cookie", "b=2");
      h.append("zz", "last");
      h.delete("ZZ");
    });
    expect(light).toEqual(real);
    expect(light).toContainEqual(["x-multi", "a, b"]);
    expect(light.filter(([n]) => n === "set-cookie")).toEqual([
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
    ]);
  });

  it("answers get, has and getSetCookie as the platform does", () => {
    for (const H of [Headers, LightHeaders as unknown as typeof Headers]) {
      const h = new H([
        ["Authorization", "x"],
        ["set-cookie", "c=3"],
      ]);
      h.append("set-cookie", "d=4");
      expect(h.get("authorization")).toBe("x");
      expect(h.get("missing")).toBeNull();
      expect(h.has("AUTHORIZATION")).toBe(true);
      expect(h.get("set-cookie")).toBe("c=3, d=4");
      expect(h.getSetCookie()).toEqual(["c=3", "d=4"]);
    }
  });

  it("takes a record, an array of pairs or another Headers, and refuses bad names and values", () => {
    const fromRecord = new LightHeaders({ A: "1", b: "2" });
    expect([...new LightHeaders(fromRecord)]).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect([...new LightHeaders([["c", "3"]])]).toEqual([["c", "3"]]);
    expect(() => new LightHeaders([["bad name", "x"]])).toThrow(TypeError);
    expect(() => new LightHeaders({ ok: "line\nbreak" })).toThrow(TypeError);
    expect(() => new Headers([["bad name", "x"]])).toThrow(TypeError);
    const seen: string[] = [];
    fromRecord.forEach((v, n) => {
      seen.push(`${n}=${v}`);
    });
    expect(seen).toEqual(["a=1", "b=2"]);
  });

  it("replaces only a global Headers that is still Node's lazy accessor", () => {
    const lazy = {};
    Object.defineProperty(lazy, "Headers", { get: () => Headers, configurable: true });
    expect(installLightHeaders(lazy)).toBe(true);
    expect((lazy as { Headers: unknown }).Headers).toBe(LightHeaders);
    const loaded = { Headers };
    expect(installLightHeaders(loaded)).toBe(false);
    expect(loaded.Headers).toBe(Headers);
  });
});
