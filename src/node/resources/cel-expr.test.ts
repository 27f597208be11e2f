import { toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CheckedExprSchema } from "../../gen/google/api/expr/v1alpha1/checked_pb.js";
import { celText, checkedExpr, checkedExprText, parseCel } from "./cel-expr.js";

describe("CEL expressions in block resources", () => {
  it("prints expressions back as cel-go's unparser does", () => {
    const cases: [string, string][] = [
      ["volume.partition_label == 'EPHEMERAL'", 'volume.partition_label == "EPHEMERAL"'],
      [
        "volume.partition_label == 'META' && volume.name in ['', 'talosmeta'] && volume.size == 1048576u",
        'volume.partition_label == "META" && volume.name in ["", "talosmeta"] && volume.size == 1048576u',
      ],
      ["system_disk", "system_disk"],
      ["!system_disk", "!system_disk"],
      [
        "disk.size > 10u * GiB && (disk.transport == 'nvme' || disk.rotational)",
        'disk.size > 10u * GiB && (disk.transport == "nvme" || disk.rotational)',
      ],
      ["disk.model.startsWith('QEMU')", 'disk.model.startsWith("QEMU")'],
      ["!(a || b)", "!(a || b)"],
    ];
    for (const [input, printed] of cases) expect(celText(parseCel(input))).toBe(printed);
  });

  it("carries the expression tree in CheckedExpr.expr and reads it back", () => {
    const m = checkedExpr("disk.dev_path == '/dev/sdb'");
    // field 4 (expr), length-delimited: tag byte 0x22
    expect(toBinary(CheckedExprSchema, m)[0]).toBe(0x22);
    expect(checkedExprText(m)).toBe('disk.dev_path == "/dev/sdb"');
    expect(checkedExprText(checkedExpr("false"))).toBe("false");
  });

  it("refuses what is not an expression", () => {
    expect(() => parseCel("disk.size ==")).toThrow();
    expect(() => parseCel("a b")).toThrow();
  });
});
