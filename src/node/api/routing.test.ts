import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { checkRouting, localTargets } from "./routing.js";
import type { SurfaceCall } from "./server.js";

function call(entries: [string, string][]): SurfaceCall {
  const metadata = new grpc.Metadata();
  for (const [k, v] of entries) metadata.add(k, v);
  return { metadata } as unknown as SurfaceCall;
}

const isLocal = localTargets(
  () => ["10.5.0.2"],
  () => ["node-1"],
);
const VERSION = "/machine.MachineService/Version";

describe("routing", () => {
  it("serves calls without routing metadata or naming this node", () => {
    for (const md of [
      [],
      [["node", "10.5.0.2"]],
      [["node", "NODE-1"]],
      [["nodes", "localhost"]],
      [
        ["proxyfrom", "x"],
        ["node", "9.9.9.9"],
      ],
    ] as [string, string][][]) {
      expect(() => checkRouting(call(md), VERSION, isLocal)).not.toThrow();
    }
  });

  it("refuses what apid refuses", () => {
    const cases: [[string, string][], string, number, string][] = [
      [[["node", "10.5.0.3"]], VERSION, grpc.status.PERMISSION_DENIED, "no request forwarding"],
      [[["node", "10.5.0.2:50000"]], VERSION, grpc.status.INTERNAL, 'invalid target "10.5.0.2:50000"'],
      [
        [
          ["node", "a"],
          ["node", "b"],
        ],
        VERSION,
        grpc.status.INVALID_ARGUMENT,
        "node metadata must be single-valued",
      ],
      [
        [["nodes", "10.5.0.2,node-1"]],
        "/cosi.resource.State/Get",
        grpc.status.INVALID_ARGUMENT,
        "one-2-many proxying is not supported for method /cosi.resource.State/Get",
      ],
    ];
    for (const [md, path, code, details] of cases) {
      expect(() => checkRouting(call(md), path, isLocal)).toThrow(
        expect.objectContaining({ code, message: details }),
      );
    }
  });
});
