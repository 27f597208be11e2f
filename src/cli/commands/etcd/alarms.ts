// The NODE/MEMBER/ALARM table of `etcd alarm list` and `etcd alarm disarm`: printed only when
// some node reports an alarm, as talosctl prints its header with the first alarm.
import { fanOut, throwIfAnyFailed } from "../../../client/index.js";
import { type EtcdMemberAlarm, EtcdMemberAlarm_AlarmType } from "../../../gen/machine/machine_pb.js";
import type { CliContext } from "../../context.js";
import { type OutputFormat, renderTable } from "../../output/index.js";
import { memberIdHex } from "./ids.js";

export const ALARM_FORMATS = ["table", "json"] as const;

export function alarmName(alarm: EtcdMemberAlarm_AlarmType): string {
  return EtcdMemberAlarm_AlarmType[alarm] ?? String(alarm);
}

export async function printAlarms(
  ctx: CliContext,
  format: OutputFormat,
  nodes: readonly string[],
  fetch: (node: string) => Promise<EtcdMemberAlarm[]>,
): Promise<void> {
  const json = format.kind === "json";
  const rows: string[][] = [];
  const results = await fanOut(nodes, fetch, {
    signal: ctx.signal,
    onResult: (r) => {
      if (!r.ok) {
        if (json) ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
        return;
      }
      for (const a of r.value) {
        if (json) {
          ctx.stdout.write(
            `${JSON.stringify({ node: r.node, member: memberIdHex(a.memberId), alarm: alarmName(a.alarm) })}\n`,
          );
        } else {
          rows.push([r.node, memberIdHex(a.memberId), alarmName(a.alarm)]);
        }
      }
    },
  });
  if (!json && rows.length > 0) ctx.stdout.write(renderTable(["NODE", "MEMBER", "ALARM"], rows));
  throwIfAnyFailed(results);
}
