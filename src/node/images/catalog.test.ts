import { describe, expect, it } from "vitest";
import { defaultCatalog, ImageCatalog, normalizeRef } from "./catalog.js";
import { ImageNotFoundError, InvalidImageRefError, resolveImage } from "./resolve.js";

describe("image catalog", () => {
  it("lists the installer of every release from v1.12.0 up to the node's version", () => {
    const versions = defaultCatalog("v1.14.0").map((i) => i.version);
    expect(versions.slice(0, 3)).toEqual(["v1.12.0", "v1.12.1", "v1.12.2"]);
    expect(versions).toContain("v1.12.8");
    expect(versions).not.toContain("v1.12.9");
    expect(versions).toContain("v1.13.9");
    expect(versions.at(-1)).toBe("v1.14.0");
    expect(versions).toHaveLength(9 + 10 + 1);
    expect(
      defaultCatalog("v1.13.3")
        .map((i) => i.version)
        .at(-1),
    ).toBe("v1.13.3");
    // A pre-release node knows the releases before it, and itself.
    expect(
      defaultCatalog("v1.15.0-alpha.1")
        .map((i) => i.version)
        .slice(-2),
    ).toEqual(["v1.14.0", "v1.15.0-alpha.1"]);
    const image = defaultCatalog("v1.14.0")[0]!;
    expect(image.ref).toBe("ghcr.io/siderolabs/installer:v1.12.0");
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.failBoot).toBe(false);
  });

  it("normalises references as containerd does and refuses malformed ones", () => {
    expect(normalizeRef("busybox")).toBe("docker.io/library/busybox:latest");
    expect(normalizeRef("siderolabs/talos:v1")).toBe("docker.io/siderolabs/talos:v1");
    expect(normalizeRef("localhost:5000/installer")).toBe("localhost:5000/installer:latest");
    expect(normalizeRef(`ghcr.io/a/b@sha256:${"0".repeat(64)}`)).toBe(`ghcr.io/a/b@sha256:${"0".repeat(64)}`);
    for (const bad of ["", "UPPER/case", "a:b:c", "ghcr.io/x:", "x@sha256:12", "-x", "a b"]) {
      expect(normalizeRef(bad), bad).toBeUndefined();
    }
  });

  it("resolves against the catalog with containerd's errors", () => {
    const catalog = new ImageCatalog(defaultCatalog("v1.13.0"));
    expect(resolveImage(catalog, "ghcr.io/siderolabs/installer:v1.12.3").version).toBe("v1.12.3");
    expect(() => resolveImage(catalog, "ghcr.io/siderolabs/installer:v1.13.1")).toThrow(ImageNotFoundError);
    expect(() => resolveImage(catalog, "ghcr.io/siderolabs/installer:v1.13.1")).toThrow(
      'failed to resolve reference "ghcr.io/siderolabs/installer:v1.13.1": ghcr.io/siderolabs/installer:v1.13.1: not found',
    );
    expect(() => resolveImage(catalog, "Installer")).toThrow(InvalidImageRefError);
  });
});
