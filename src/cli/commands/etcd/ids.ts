// etcd member ids as talosctl shows and parses them: 16 lowercase hex digits.
import { UserError } from "../../../errors.js";

export function memberIdHex(id: bigint): string {
  return id.toString(16).padStart(16, "0");
}

/** Parses a member id as `members` prints it (hex, optional 0x). */
export function parseMemberId(text: string): bigint {
  const hex = text.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) {
    throw new UserError(
      `invalid member ID ${JSON.stringify(text)}: expected up to 16 hex digits, as "etcd members" prints it`,
    );
  }
  const id = BigInt(`0x${hex}`);
  if (id === 0n) throw new UserError(`invalid member ID ${JSON.stringify(text)}: must not be zero`);
  return id;
}
