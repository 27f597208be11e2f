// Cold start of the CLI: `talosctl version --client` and `talosctl --help`, median wall time
// as a ratio to `node -e 0` on the same Node, measured interleaved in the same run.
import { fmt, interleave, median, TALOSCTL } from "./lib.mjs";

export function benchStartup(runs = Number(process.env.BENCH_RUNS ?? 20)) {
  const node = process.execPath;
  const [base, version, help] = interleave(
    [
      { cmd: node, args: ["-e", "0"] },
      { cmd: node, args: [TALOSCTL, "version", "--client"] },
      { cmd: node, args: [TALOSCTL, "--help"] },
    ],
    runs,
  );
  const b = median(base);
  const v = median(version);
  const h = median(help);
  return {
    name: "startup",
    runs,
    node: process.version,
    baselineMs: b,
    versionClientMs: v,
    helpMs: h,
    versionClientRatio: v / b,
    helpRatio: h / b,
    target: "<= 1.5x",
    summary: [
      `node -e 0:               ${fmt(b)} (median of ${runs})`,
      `talosctl version --client: ${fmt(v)}  ratio ${(v / b).toFixed(2)}x`,
      `talosctl --help:           ${fmt(h)}  ratio ${(h / b).toFixed(2)}x`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchStartup();
  console.log(r.summary.join("\n"));
}
