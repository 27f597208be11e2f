// /proc/cpuinfo of the emulated machine: CPU_COUNT cores of one socket of a virtual AMD EPYC
// (what the CPUInfo API call and the CPUCore resources report).
import { CPU_COUNT } from "./hardware.js";

export interface CpuInfoRow {
  readonly processor: number;
  readonly vendorId: string;
  readonly cpuFamily: string;
  readonly model: string;
  readonly modelName: string;
  readonly stepping: string;
  readonly microcode: string;
  readonly cpuMhz: number;
  readonly cacheSize: string;
  readonly physicalId: string;
  readonly siblings: number;
  readonly coreId: string;
  readonly cpuCores: number;
  readonly apicId: string;
  readonly initialApicId: string;
  readonly fpu: string;
  readonly fpuException: string;
  readonly cpuIdLevel: number;
  readonly wp: string;
  readonly flags: readonly string[];
  readonly bugs: readonly string[];
  readonly bogoMips: number;
  readonly clFlushSize: number;
  readonly cacheAlignment: number;
  readonly addressSizes: string;
  readonly powerManagement: string;
}

export function cpuInfo(): CpuInfoRow[] {
  return Array.from({ length: CPU_COUNT }, (_, i) => ({
    processor: i,
    vendorId: "AuthenticAMD",
    cpuFamily: "25",
    model: "1",
    modelName: "AMD EPYC Processor",
    stepping: "1",
    microcode: "0x1000065",
    cpuMhz: 2_445.406,
    cacheSize: "512 KB",
    physicalId: "0",
    siblings: CPU_COUNT,
    coreId: String(i),
    cpuCores: CPU_COUNT,
    apicId: String(i),
    initialApicId: String(i),
    fpu: "yes",
    fpuException: "yes",
    cpuIdLevel: 16,
    wp: "yes",
    flags: [
      "fpu",
      "vme",
      "de",
      "pse",
      "tsc",
      "msr",
      "pae",
      "mce",
      "cx8",
      "apic",
      "sse",
      "sse2",
      "ht",
      "syscall",
      "nx",
      "lm",
      "avx",
      "avx2",
      "aes",
    ],
    bugs: ["sysret_ss_attrs", "spectre_v1", "spectre_v2", "spec_store_bypass"],
    bogoMips: 4_890.81,
    clFlushSize: 64,
    cacheAlignment: 64,
    addressSizes: "40 bits physical, 48 bits virtual",
    powerManagement: "",
  }));
}
