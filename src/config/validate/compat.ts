// Which Kubernetes versions a Talos release runs (siderolabs/talos: pkg/machinery/compatibility):
// checked on the node against its own version, skipped client-side as Talos does.
import { goQuote } from "./go.js";

/** [minimum, maximum] Kubernetes version per Talos major.minor (maximum excluded above .99). */
const KUBERNETES_SUPPORT: Readonly<Record<string, readonly [string, string]>> = {
  "1.8": ["1.26.0", "1.31.99"],
  "1.9": ["1.27.0", "1.32.99"],
  "1.10": ["1.28.0", "1.33.99"],
  "1.11": ["1.29.0", "1.34.99"],
  "1.12": ["1.30.0", "1.35.99"],
  "1.13": ["1.31.0", "1.36.99"],
  "1.14": ["1.32.0", "1.37.99"],
  "1.15": ["1.33.0", "1.38.99"],
};

interface Semver {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly text: string;
}

/** blang/semver ParseTolerant, reduced to what a version tag needs; an error text on failure. */
function parseTolerant(text: string): Semver | string {
  let s = text.trim().replace(/^v/, "");
  const pre = s.search(/[-+]/);
  const suffix = pre >= 0 ? s.slice(pre) : "";
  s = pre >= 0 ? s.slice(0, pre) : s;
  const parts = s.split(".");
  while (parts.length < 3) parts.push("0");
  if (parts.length > 3) return `No Major.Minor.Patch elements found`;
  for (const p of parts) {
    if (!/^\d+$/.test(p))
      return `Invalid character(s) found in ${["major", "minor", "patch"][parts.indexOf(p)]} number ${goQuote(p)}`;
    if (p.length > 1 && p.startsWith("0"))
      return `${["Major", "Minor", "Patch"][parts.indexOf(p)]} number must not contain leading zeroes ${goQuote(p)}`;
  }
  const [major, minor, patch] = parts.map(Number) as [number, number, number];
  return { major, minor, patch, text: `${major}.${minor}.${patch}${suffix}` };
}

function compare(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** compatibility.ValidateKubernetesImageTag against a running Talos version ("v1.14.2"). */
export function kubernetesImageTagError(image: string, talosVersion: string): string | undefined {
  const talos = parseTolerant(talosVersion);
  if (typeof talos === "string") return `failed to parse Talos version: ${talos}`;
  const idx = image.lastIndexOf(":v");
  if (idx < 0) {
    return `failed to parse Kubernetes version from image reference ${goQuote(image)}: invalid image reference: ${goQuote(image)}`;
  }
  let versionPart = image.slice(idx + 2);
  const at = versionPart.indexOf("@");
  if (at >= 0) versionPart = versionPart.slice(0, at);
  const k8s = parseTolerant(versionPart);
  if (typeof k8s === "string")
    return `failed to parse Kubernetes version from image reference ${goQuote(image)}: ${k8s}`;
  const range = KUBERNETES_SUPPORT[`${talos.major}.${talos.minor}`];
  if (range === undefined) return `compatibility with version ${talos.text} is not supported`;
  const min = parseTolerant(range[0]) as Semver;
  const max = parseTolerant(range[1]) as Semver;
  if (compare(k8s, min) < 0)
    return `version of Kubernetes ${k8s.text} is too old to be used with Talos ${talos.text}`;
  if (compare(k8s, max) >= 0)
    return `version of Kubernetes ${k8s.text} is too new to be used with Talos ${talos.text}`;
  return undefined;
}
