import { describe, expect, it } from "vitest";
import { KNOWN_ROLES, parseRoles, unknownRolesMessage } from "./roles.js";

describe("roles", () => {
  it("knows Talos's roles", () => {
    expect(KNOWN_ROLES).toEqual([
      "os:admin",
      "os:operator",
      "os:reader",
      "os:etcd:backup",
      "os:image:verifier",
      "os:meta:writer",
      "os:impersonator",
    ]);
  });

  it("sorts, de-duplicates and reports unknown roles", () => {
    const parsed = parseRoles(["os:reader", "os:admin", " os:reader ", "", "os:bogus", "admin"]);
    expect(parsed.roles).toEqual(["admin", "os:admin", "os:bogus", "os:reader"]);
    expect(parsed.unknown).toEqual(["os:bogus", "admin"]);
    expect(unknownRolesMessage(parsed)).toBe("unknown roles: os:bogus, admin");
    expect(unknownRolesMessage(parseRoles(["os:operator"]))).toBeUndefined();
  });
});
