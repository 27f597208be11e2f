// CEL selectors type-check against their environment, with cel-go's issue wording.
import { describe, expect, it } from "vitest";
import { celError } from "./cel.js";
import { doc, table, WORKER } from "./testkit.js";

describe("celError", () => {
  it.each([
    ["disk.size > 120u * GB", "disk"],
    ["disk.transport == 'nvme' && !system_disk", "disk"],
    ["glob('sd*', disk.dev_path) && disk.size >= 10u * GiB", "disk"],
    ["volume.partition_label == 'EPHEMERAL' && disk.transport in ['nvme', 'sata']", "volume"],
    ["glob('e1000*', link.driver) && mac(link.hardware_addr) != ''", "link"],
  ] as const)("accepts %s", (expr, env) => {
    expect(celError(expr, env, "bool")).toBeUndefined();
  });

  it("refuses an ill-typed comparison, as cel-go words it", () => {
    expect(celError("disk.size > 120", "disk", "bool")).toBe(
      "ERROR: <input>:1:11: found no matching overload for '_>_' applied to '(uint, int)'\n | disk.size > 120\n | ..........^",
    );
  });

  it("refuses unknown names and fields, and the wrong result type", () => {
    expect(celError("dsk.size > 1u", "disk", "bool")).toBe(
      "ERROR: <input>:1:1: undeclared reference to 'dsk' (in container '')\n | dsk.size > 1u\n | ^",
    );
    expect(celError("disk.sise > 1u", "disk", "bool")).toBe(
      "ERROR: <input>:1:5: undefined field 'sise'\n | disk.sise > 1u\n | ....^",
    );
    expect(celError("disk.size", "disk", "bool")).toBe("expression output type is uint, expected bool");
  });

  it("checks OOM expressions for their result types", () => {
    // The standard library's conversions (duration, timestamp, ...) are in every environment.
    expect(
      celError("memory_full_avg10 > 12.0 && time_since_trigger > duration('500ms')", "oomTrigger", "bool"),
    ).toBeUndefined();
    expect(celError("time_since_trigger > timestamp('2026-01-01T00:00:00Z')", "oomTrigger", "bool")).toMatch(
      /found no matching overload for '_>_' applied to '\(google.protobuf.Duration, google.protobuf.Timestamp\)'/,
    );
    expect(celError("memory_full_avg10 > 12.0", "oomTrigger", "bool")).toBeUndefined();
    expect(celError("class == Besteffort ? 1.0 : 0.0", "oomScoring", "double")).toBeUndefined();
  });
});

describe("CEL fields of documents", () => {
  table([
    {
      name: "a volume's disk selector must type-check",
      docs: [
        doc("UserVolumeConfig", {
          name: "data",
          provisioning: { diskSelector: { match: "disk.size > 120" }, maxSize: "1GiB" },
        }),
      ],
      base: WORKER,
      errors: [
        "UserVolumeConfig/data provisioning.diskSelector.match: disk selector is invalid: ERROR: <input>:1:11: found no matching overload for '_>_' applied to '(uint, int)'\n | disk.size > 120\n | ..........^",
      ],
    },
    {
      name: "a link alias selector",
      docs: [doc("LinkAliasConfig", { name: "net0", selector: { match: "link.nme == 'x'" } })],
      base: WORKER,
      errors: [
        "LinkAliasConfig/net0 selector.match: link selector is invalid: ERROR: <input>:1:5: undefined field 'nme'\n | link.nme == 'x'\n | ....^",
      ],
    },
  ]);
});
