// Talos API roles: carried as the Organization values of a client certificate's subject.

export const ROLE = {
  admin: "os:admin",
  operator: "os:operator",
  reader: "os:reader",
  etcdBackup: "os:etcd:backup",
  imageVerifier: "os:image:verifier",
  metaWriter: "os:meta:writer",
  impersonator: "os:impersonator",
} as const;

/** Every role the Talos API knows. */
export const KNOWN_ROLES: readonly string[] = Object.values(ROLE);

export interface ParsedRoles {
  /** Distinct roles, sorted (known and unknown alike, as Talos keeps both). */
  readonly roles: string[];
  /** Roles Talos does not know, in the order given. */
  readonly unknown: string[];
}

/** Splits a role list; empty entries are dropped, duplicates collapse. */
export function parseRoles(values: readonly string[]): ParsedRoles {
  const roles = new Set<string>();
  const unknown: string[] = [];
  for (const raw of values) {
    const role = raw.trim();
    if (role === "") continue;
    if (!KNOWN_ROLES.includes(role) && !unknown.includes(role)) unknown.push(role);
    roles.add(role);
  }
  return { roles: [...roles].sort(), unknown };
}

/** The error line for unknown roles, or undefined when all are known. */
export function unknownRolesMessage(parsed: ParsedRoles): string | undefined {
  return parsed.unknown.length > 0 ? `unknown roles: ${parsed.unknown.join(", ")}` : undefined;
}
