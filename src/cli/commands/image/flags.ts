// Flags of the `image` commands: the parent's persistent --namespace (which containerd instance),
// and semantic-version values read as talosctl's semver flags read them (blang/semver's
// ParseTolerant: a leading v kept for display, missing minor and patch filled with 0).
import { UserError } from "../../../errors.js";
import { flag } from "../../command.js";

export const namespaceFlag = {
  namespace: flag.string({
    global: true,
    default: "cri",
    choices: ["system", "cri", "inmem"],
    describe:
      'namespace to use: "system" (etcd and kubelet images), "cri" for all Kubernetes workloads, "inmem" for in-memory containerd instance',
  }),
} as const;

/** blang/semver's ParseTolerant, with its error texts; the error or undefined. */
export function semverError(text: string): string | undefined {
  let s = text.trim();
  if (s.startsWith("v")) s = s.slice(1);
  if (s === "") return "Version string empty";
  let parts = s.split(".");
  if (parts.length > 3) parts = [parts[0]!, parts[1]!, parts.slice(2).join(".")];
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1]!))
      return "Short version cannot contain PreRelease/Build meta data";
    while (parts.length < 3) parts.push("0");
  }
  const [major, minor, rest] = parts as [string, string, string];
  const numeric = (n: string, what: string): string | undefined => {
    if (!/^\d+$/.test(n)) return `Invalid character(s) found in ${what} number ${JSON.stringify(n)}`;
    if (n.length > 1 && n.startsWith("0"))
      return `${what[0]!.toUpperCase()}${what.slice(1)} number must not contain leading zeroes ${JSON.stringify(n)}`;
    return undefined;
  };
  const patch = rest.split(/[-+]/)[0]!;
  return numeric(major, "major") ?? numeric(minor, "minor") ?? numeric(patch, "patch");
}

/**
 * The version as talosctl's semver flag prints it back (`v1.30` becomes `v1.30.0`): the flag
 * keeps a leading v once its default or a value had one.
 */
export function semverString(text: string, defaultValue = ""): string {
  let s = text.trim();
  const prefix = s.startsWith("v") || defaultValue.startsWith("v") ? "v" : "";
  if (prefix) s = s.slice(1);
  const parts = s.split(".");
  while (parts.length < 3) parts.push("0");
  return `${prefix}${parts.join(".")}`;
}

/** A semver flag's value, or pflag's error naming the flag. */
export function semverFlag(name: string, value: string): string {
  const err = semverError(value);
  if (err)
    throw new UserError(`invalid argument ${JSON.stringify(value)} for "--${name}" flag: ${err}`, {
      showUsage: true,
    });
  return semverString(value);
}

export function semverFlagSpec(describe: string, defaultValue: string) {
  return flag.string({ describe, default: defaultValue, validate: (v) => semverError(v) });
}
