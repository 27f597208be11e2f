import { describe, expect, it } from "vitest";
import { checkResetOptions, parseRebootMode, resetLabels } from "./actions.js";
import { parseImageReference, speaksLifecycleApi, versionOfImage } from "./upgrade.js";

describe("image references", () => {
  it.each([
    ["ghcr.io/siderolabs/installer:v1.15.0", "v1.15.0"],
    ["localhost:5000/installer:v1.14.2", "v1.14.2"],
    [
      "factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.15.1",
      "v1.15.1",
    ],
    ["installer", undefined],
    [`ghcr.io/siderolabs/installer@sha256:${"a".repeat(64)}`, undefined],
  ])("accepts %s", (ref, version) => {
    const parsed = parseImageReference(ref);
    expect(parsed.ref).toBe(ref);
    expect(versionOfImage(parsed)).toBe(version);
  });

  it.each(["", "UPPER/case:v1", "ghcr.io/siderolabs/installer:", "a b", "ghcr.io//x:v1", "x:v1@sha256:zz"])(
    "refuses %j naming the flag",
    (ref) => {
      expect(() => parseImageReference(ref)).toThrow(/^--image ".*": not a valid image reference/);
    },
  );

  it("knows which servers speak LifecycleService.Upgrade", () => {
    expect(speaksLifecycleApi("v1.14.0")).toBe(true);
    expect(speaksLifecycleApi("v1.13.0-alpha.2")).toBe(false);
    expect(speaksLifecycleApi("v1.12.6")).toBe(false);
    expect(speaksLifecycleApi("v2.0.0")).toBe(false);
  });
});

describe("lifecycle flags", () => {
  it("refuses unknown reboot modes with the flag's name", () => {
    expect(parseRebootMode("POWERCYCLE")).toBe("powercycle");
    expect(() => parseRebootMode("soft")).toThrow(
      'invalid argument "soft" for "-m, --mode" flag: possible options are: default, powercycle, force',
    );
  });

  it("keeps META unless it is named", () => {
    const base = { graceful: true, reboot: false, wipeMode: "all" as const, systemLabels: [], userDisks: [] };
    expect(resetLabels(base)).toEqual(["STATE", "EPHEMERAL"]);
    expect(resetLabels({ ...base, systemLabels: ["META", "STATE"] })).toEqual(["META", "STATE"]);
    expect(resetLabels({ ...base, wipeMode: "user-disks", userDisks: ["/dev/sdb"] })).toEqual([]);
  });

  it("refuses reset flag combinations a node would refuse", () => {
    const base = { graceful: true, reboot: false, wipeMode: "all" as const, systemLabels: [], userDisks: [] };
    expect(() => checkResetOptions({ ...base, wipeMode: "system-disk", userDisks: ["/dev/sdb"] })).toThrow(
      "--user-disks-to-wipe cannot be used with --wipe-mode system-disk",
    );
    expect(() => checkResetOptions({ ...base, wipeMode: "user-disks", systemLabels: ["STATE"] })).toThrow(
      "--system-labels-to-wipe cannot be used with --wipe-mode user-disks",
    );
    expect(() => checkResetOptions({ ...base, userDisks: ["sdb"] })).toThrow(/expected a device path/);
    expect(() => checkResetOptions({ ...base, systemLabels: ["STATE;rm"] })).toThrow(/not a volume label/);
  });
});
