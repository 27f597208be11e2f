// Event ids: the xid encoding, embedded time and order, malformed text refused.
import { describe, expect, it } from "vitest";
import { createXidGenerator, decodeXid, encodeXid, XID_LENGTH, xidSeconds } from "./xid.js";

describe("xid", () => {
  it("encodes 12 bytes as 20 base32hex characters and back", () => {
    const bytes = Uint8Array.from([0x4d, 0x88, 0xe1, 0x5b, 0x60, 0xf4, 0x86, 0xe4, 0x28, 0x41, 0x2d, 0xc9]);
    const text = encodeXid(bytes);
    // The reference id of rs/xid's documentation has these bytes.
    expect(text).toBe("9m4e2mr0ui3e8a215n4g");
    expect(decodeXid(text)).toEqual(bytes);
    expect(xidSeconds(text)).toBe(0x4d88e15b);
  });

  it("makes ids that embed the time and sort in creation order", () => {
    const gen = createXidGenerator(4242);
    const t = new Date("2026-08-21T10:00:00Z");
    const ids = Array.from({ length: 50 }, (_, i) =>
      gen.next(new Date(t.getTime() + Math.floor(i / 10) * 1000)),
    );
    expect(ids.every((id) => id.length === XID_LENGTH && /^[0-9a-v]+$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(xidSeconds(ids[0]!)).toBe(t.getTime() / 1000);
  });

  it("rejects text that is not an xid", () => {
    for (const bad of [
      "",
      "short",
      "9m4e2mr0ui3e8a215n4w",
      "9m4e2mr0ui3e8a215n4!",
      "9m4e2mr0ui3e8a215n4gx",
    ]) {
      expect(() => decodeXid(bad)).toThrow("xid: invalid ID");
    }
  });
});
