// Image references read as go-containerregistry's name.ParseReference reads them.
import { describe, expect, it } from "vitest";
import { imageReferenceKind } from "./image.js";

const HEX = "a".repeat(64);

describe("imageReferenceKind", () => {
  it.each([
    ["nginx", "tag"],
    ["nginx:1.27", "tag"],
    ["ghcr.io/siderolabs/kubelet:v1.34.0", "tag"],
    ["localhost/app", "tag"],
    ["localhost:5000/app:dev", "tag"],
    ["[::1]:5000/app", "tag"],
    ["registry.example:5000/a//b..c", "tag"],
    [`nginx@sha256:${HEX}`, "digest"],
    [`ghcr.io/a/b:v1@sha256:${HEX}`, "digest"],
  ] as const)("%s reads as a %s reference", (ref, kind) => {
    expect(imageReferenceKind(ref)).toBe(kind);
  });

  it.each([
    "Nginx",
    "nginx:",
    "nginx:bad!tag",
    `nginx:${"t".repeat(129)}`,
    "my registry.io/app",
    "reg.io:port/app",
    "user@reg.io/app",
    `nginx@sha256:${"A".repeat(64)}`,
    "nginx@sha512:abc",
    `a@b@sha256:${HEX}`,
  ])("%s does not parse", (ref) => {
    expect(imageReferenceKind(ref)).toBeUndefined();
  });
});
