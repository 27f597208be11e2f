import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AgeEncryptor, bech32Encode, parseRecipient } from "./age.js";

/** A deterministic random source, so the output can be compared with what `age -d` accepted. */
function seeded(seed: string) {
  let counter = 0;
  return (n: number): Buffer => {
    const out: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash("sha256").update(`${seed}:${counter++}`).digest();
      out.push(block);
      have += block.length;
    }
    return Buffer.concat(out).subarray(0, n);
  };
}

function encrypt(recipients: string[], data: Buffer, chunks: number[]): Buffer {
  const out: Buffer[] = [];
  const enc = new AgeEncryptor(recipients.map(parseRecipient), (c) => out.push(c), seeded("kat"));
  let off = 0;
  for (const n of chunks) {
    enc.write(data.subarray(off, off + n));
    off += n;
  }
  enc.write(data.subarray(off));
  enc.end();
  return Buffer.concat(out);
}

// Recipients whose identities decrypted the outputs below with age 1.1 (`age -d -i`).
const X25519 = "age1u8lqky3k5j609u5yfv8d44lq9aht80pda0xywzwl039rhj998yjsjtfrzy";
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILsheGxzxnjhdYogNYRZnj1FRCyGOMS1EOdCp1NxwUVO test";

describe("age encryption", () => {
  it("writes the age v1 header, one stanza per recipient, and the payload", () => {
    const data = Buffer.alloc(64 * 1024 * 2, 7);
    const out = encrypt([X25519, ED25519], data, [1000, 64 * 1024]);
    const text = out.toString("latin1");
    expect(text.startsWith("age-encryption.org/v1\n-> X25519 ")).toBe(true);
    expect(text).toMatch(
      /\n-> ssh-ed25519 [A-Za-z0-9+/]{6} [A-Za-z0-9+/]{43}\n[A-Za-z0-9+/]{43}\n--- [A-Za-z0-9+/]{43}\n/,
    );
    // header + 16-byte nonce + two full chunks (a data length that is a multiple of 64 KiB ends with a full final chunk)
    const headerEnd = text.indexOf("\n", text.indexOf("\n--- ") + 1) + 1;
    expect(out.length - headerEnd - 16).toBe(2 * (64 * 1024 + 16));
  });

  it("matches the output age accepted for the same keys and randomness", () => {
    const data = Buffer.from("support bundle\n".repeat(5000));
    const out = encrypt([X25519, ED25519], data, [10]);
    expect(createHash("sha256").update(out).digest("hex")).toBe(KAT_SHA256);
  });

  it("refuses malformed recipients", () => {
    expect(() => parseRecipient("age1nope")).toThrow(
      'failed to parse recipient "age1nope": malformed recipient',
    );
    expect(() => parseRecipient("ssh-dss AAAA")).toThrow("failed to parse recipient");
    expect(bech32Encode("age", Buffer.alloc(32)).startsWith("age1qqqq")).toBe(true);
  });
});

const KAT_SHA256 = "7d881ca470a38e6d770e08d6d61c43bb59defa5740dd29935ae8e41522d931b7";
