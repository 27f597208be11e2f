import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { ApplyMode, applyModeName, applyResultJson, formatApplyResult, parseApplyMode } from "./apply.js";

describe("--mode", () => {
  it("maps the CLI names to the wire modes", () => {
    expect(parseApplyMode("auto")).toBe(ApplyMode.AUTO);
    expect(parseApplyMode("no-reboot")).toBe(ApplyMode.NO_REBOOT);
    expect(parseApplyMode("staged")).toBe(ApplyMode.STAGED);
    expect(parseApplyMode("TRY")).toBe(ApplyMode.TRY);
    for (const m of ["auto", "no-reboot", "staged", "try"]) expect(applyModeName(parseApplyMode(m))).toBe(m);
  });

  it("lists the options for a bad value", () => {
    expect(() => parseApplyMode("reboot")).toThrow(
      'invalid argument "reboot" for "-m, --mode" flag: possible options are: auto, no-reboot, staged, try',
    );
    try {
      parseApplyMode("x");
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).showUsage).toBe(true);
    }
  });
});

describe("apply results", () => {
  const result = {
    mode: ApplyMode.TRY,
    modeDetails: "Applied configuration without a reboot\nThe config is applied in 'try' mode",
    warnings: [".machine.files is deprecated"],
  };

  it("prints warnings, then the details, optionally labelled by node", () => {
    expect(formatApplyResult(result)).toBe(
      "WARNING: .machine.files is deprecated\nApplied configuration without a reboot\nThe config is applied in 'try' mode\n",
    );
    expect(formatApplyResult(result, "10.5.0.2: ")).toBe(
      "10.5.0.2: WARNING: .machine.files is deprecated\n10.5.0.2: Applied configuration without a reboot\n10.5.0.2: The config is applied in 'try' mode\n",
    );
    expect(formatApplyResult({ mode: ApplyMode.NO_REBOOT, modeDetails: "", warnings: [] })).toBe("");
  });

  it("gives one JSON object per node", () => {
    expect(applyResultJson("n1", result)).toEqual({
      node: "n1",
      mode: "try",
      modeDetails: result.modeDetails,
      warnings: [".machine.files is deprecated"],
    });
    expect(applyResultJson("n2", new Error("nope"))).toEqual({ node: "n2", error: "nope" });
  });
});
