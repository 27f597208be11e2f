// The presets of `talosctl cgroups --preset`: the columns talosctl shows for each cgroup
// subsystem (siderolabs/talos: cmd/talosctl/cmd/talos/cgroupsprinter/presets).
import type { Column } from "./schema.js";

const col = (name: string, template: string): Column => ({ name, template });

export const PRESETS: Readonly<Record<string, readonly Column[]>> = {
  cpu: [
    col("CpuWeight", '{{ .CPUWeight | printf "%6s" }}'),
    col("CpuNice", '{{ .CPUWeightNice | printf "%6s" }}'),
    col("CpuMax", '{{ .CPUMax | printf "%6s" }}'),
    col("CpuUser", '{{ .CPUStat.user_usec.UsecToDuration | printf "%12s" }}'),
    col(
      "User/%",
      '{{ if .Parent }}{{ .CPUStat.user_usec.DivideBy .Parent.CPUStat.user_usec | printf "%6s" }}%{{ else }}-{{ end }}',
    ),
    col("CpuSystem", '{{ .CPUStat.system_usec.UsecToDuration | printf "%12s" }}'),
    col(
      "System/%",
      '{{ if .Parent }}{{ .CPUStat.system_usec.DivideBy .Parent.CPUStat.system_usec | printf "%6s" }}%{{ else }}-{{ end }}',
    ),
    col("Throttled", '{{ .CPUStat.throttled_usec.UsecToDuration | printf "%12s" }}'),
  ],
  cpuset: [
    col("CpuSet", '{{ .CPUSetCPUs | printf "%12s" }}'),
    col("CpuSet(Eff)", '{{ .CPUSetCPUsEffective | printf "%12s" }}'),
    col("Mems", '{{ .CPUSetMems | printf "%12s" }}'),
    col("Mems(Eff)", '{{ .CPUSetMemsEffective | printf "%12s" }}'),
  ],
  io: [
    col(
      "Bytes Read/Written",
      "{{ range $disk, $v := .IOStat }}{{ if $v }}{{ $disk }}: {{ $v.rbytes.HumanizeIBytes }}/{{ $v.wbytes.HumanizeIBytes }} {{ end }}{{ end }}",
    ),
    col(
      "ios Read/Write",
      "{{ if .Parent }}{{ range $disk, $v := .IOStat }}{{ $disk }}: {{ $v.rios }}/{{ $v.wios }} {{ end }}{{ end }}",
    ),
    col("PressAvg10", '{{ .IOPressure.some.avg10 | printf "%6s" }}'),
    col("PressAvg60", '{{ .IOPressure.some.avg60 | printf "%6s" }}'),
    col("PressTotal", '{{ .IOPressure.some.total.UsecToDuration | printf "%12s" }}'),
  ],
  memory: [
    col("MemCurrent", '{{ .MemoryCurrent.HumanizeIBytes | printf "%8s" }}'),
    col("MemPeak", '{{ .MemoryPeak.HumanizeIBytes | printf "%8s" }}'),
    col("MemLow", '{{ .MemoryLow.HumanizeIBytes | printf "%8s" }}'),
    col("Peak/Low", '{{ .MemoryPeak.DivideBy .MemoryLow | printf "%6s%%" }}'),
    col("MemHigh", '{{ .MemoryHigh.HumanizeIBytes | printf "%8s" }}'),
    col("MemMin", '{{ .MemoryMin.HumanizeIBytes | printf "%8s" }}'),
    col("Current/Min", '{{ .MemoryCurrent.DivideBy .MemoryMin | printf "%6s%%" }}'),
    col("MemMax", '{{ .MemoryMax.HumanizeIBytes | printf "%8s" }}'),
  ],
  process: [
    col("PidsCurrent", '{{ .PidsCurrent | printf "%8s" }}'),
    col("PidsPeak", '{{ .PidsPeak | printf "%8s" }}'),
    col("PidsMax", '{{ .PidsMax | printf "%8s" }}'),
    col("Procs", '{{ .CgroupProcs | len | printf "%7d" }}'),
    col("Threads", '{{ .CgroupThreads | len | printf "%7d" }}'),
    col("Processes", '{{ if .Parent }}{{ .CgroupProcsResolved | printf "%s" | printf "%.50s"  }}{{ end }}'),
  ],
  psi: [
    col("MemCurrent", '{{ .MemoryCurrent.HumanizeIBytes | printf "%8s" }}'),
    col("MemPsiSome10", '{{ .MemoryPressure.some.avg10 | printf "%6s" }}'),
    col("MemPsi10", '{{ .MemoryPressure.full.avg10 | printf "%6s" }}'),
    col("CpuPsi10", '{{ .CPUPressure.full.avg10 | printf "%6s" }}'),
    col("IoPsi10", '{{ .IOPressure.full.avg10 | printf "%6s" }}'),
  ],
  swap: [
    col("SwapCurrent", '{{ .MemorySwapCurrent.HumanizeIBytes | printf "%8s" }}'),
    col("SwapPeak", '{{ .MemorySwapPeak.HumanizeIBytes | printf "%8s" }}'),
    col("SwapHigh", '{{ .MemorySwapHigh.HumanizeIBytes | printf "%8s" }}'),
    col("SwapMax", '{{ .MemorySwapMax.HumanizeIBytes | printf "%8s" }}'),
    col("ZswapCurrent", '{{ .MemoryZswapCurrent.HumanizeIBytes | printf "%8s" }}'),
    col("ZswapMax", '{{ .MemoryZswapMax.HumanizeIBytes | printf "%8s" }}'),
    col("ZswapWriteback", "{{ .MemoryZswapWriteback }}"),
  ],
};

/** The preset names, sorted. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS).sort();
