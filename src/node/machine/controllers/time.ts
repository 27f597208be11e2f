// Time resources (siderolabs/talos: internal/app/machined/pkg/controllers/time): whether the
// clock synced with the configured time servers (or sync is off), and the kernel's adjtime state.

import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { AdjtimeStatusSpecSchema, StatusSpecSchema } from "../../../gen/resource/definitions/time/time_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { configTime } from "./config-facts.js";
import { INPUT, type MachineSource } from "./source.js";

export const TIME_STATUS = messageKind("TimeStatuses.v1alpha1.talos.dev", StatusSpecSchema);
export const ADJTIME_STATUS = messageKind("AdjtimeStatuses.v1alpha1.talos.dev", AdjtimeStatusSpecSchema);

const timeStatus: Controller<MachineSource> = {
  name: "time.SyncController",
  inputs: [INPUT.config, INPUT.time],
  run({ source, put }) {
    const disabled = configTime(source.active()).disabled;
    const synced = disabled || source.timeSynced();
    put(
      TIME_STATUS,
      NS.runtime,
      "node",
      spec(StatusSpecSchema, { synced, epoch: synced ? 1n : 0n, syncDisabled: disabled }),
    );
  },
};

/** What adjtimex(2) reports: a small offset and error once synced, the unsynchronised state before. */
const adjtimeStatus: Controller<MachineSource> = {
  name: "time.AdjtimeStatusController",
  inputs: [INPUT.time],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    const synced = source.timeSynced();
    const micros = (us: number) => spec(DurationSchema, { seconds: 0n, nanos: us * 1000 });
    put(
      ADJTIME_STATUS,
      NS.runtime,
      "node",
      spec(AdjtimeStatusSpecSchema, {
        offset: micros(synced ? 12 : 0),
        frequencyAdjustmentRatio: 1.0000021,
        maxError: micros(synced ? 1_500 : 16_000),
        estError: micros(synced ? 6 : 16_000),
        status: synced ? "STA_PLL | STA_NANO" : "STA_UNSYNC | STA_NANO",
        constant: 7n,
        syncStatus: synced,
        state: synced ? "TIME_OK" : "TIME_ERROR",
      }),
    );
  },
};

export const TIME_CONTROLLERS: readonly Controller<MachineSource>[] = [timeStatus, adjtimeStatus];
