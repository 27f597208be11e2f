// Hardware resources as Talos reads them from SMBIOS and sysfs (siderolabs/talos:
// internal/app/machined/pkg/controllers/hardware): the emulated machine is a QEMU q35 virtual
// machine with the node's CPU count and memory, a virtio NIC and a virtio disk per emulated
// disk. In container mode Talos runs no hardware controllers.
import {
  CPUCoreSpecSchema,
  MemoryModuleSpecSchema,
  PCIDeviceSpecSchema,
  ProcessorSpecSchema,
  SystemInformationSpecSchema,
} from "../../../gen/resource/definitions/hardware/hardware_pb.js";
import { CPU_COUNT, cpuInfo, MEM_TOTAL_KB } from "../../platform/index.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import type { MachineSource } from "./source.js";

export const PROCESSOR = messageKind("Processors.hardware.talos.dev", ProcessorSpecSchema);
export const MEMORY_MODULE = messageKind("MemoryModules.hardware.talos.dev", MemoryModuleSpecSchema);
export const SYSTEM_INFORMATION = messageKind(
  "SystemInformations.hardware.talos.dev",
  SystemInformationSpecSchema,
);
export const PCI_DEVICE = messageKind("PCIDevices.hardware.talos.dev", PCIDeviceSpecSchema);
export const CPU_CORE = messageKind("CPUCores.hardware.talos.dev", CPUCoreSpecSchema);

/** The machine's memory in MiB as SMBIOS reports it (the RAM the kernel reports plus what it keeps). */
const MEMORY_MIB = Math.ceil(MEM_TOTAL_KB / 1024 / 1024) * 1024;

const systemInfo: Controller<MachineSource> = {
  name: "hardware.SystemInfoController",
  inputs: [],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    put(
      SYSTEM_INFORMATION,
      NS.hardware,
      "systeminformation",
      spec(SystemInformationSpecSchema, {
        manufacturer: "QEMU",
        productName: "Standard PC (Q35 + ICH9, 2009)",
        version: "pc-q35-9.2",
        biosVersion: "1.16.3-debian-1.16.3-2",
        uuid: source.machineUuid,
        wakeUpType: "Power Switch",
      }),
    );
    put(
      PROCESSOR,
      NS.hardware,
      "CPU-0",
      spec(ProcessorSpecSchema, {
        socket: "CPU 0",
        manufacturer: "QEMU",
        productName: "pc-q35-9.2",
        maxSpeed: 2000,
        bootSpeed: 2000,
        status: 65,
        coreCount: CPU_COUNT,
        coreEnabled: CPU_COUNT,
        threadCount: CPU_COUNT,
      }),
    );
    put(
      MEMORY_MODULE,
      NS.hardware,
      "DIMM-0",
      spec(MemoryModuleSpecSchema, { size: MEMORY_MIB, deviceLocator: "DIMM 0", manufacturer: "QEMU" }),
    );
  },
};

interface PciDevice {
  readonly address: string;
  readonly classId: number;
  readonly subclassId: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly className: string;
  readonly subclassName: string;
  readonly vendor: string;
  readonly product: string;
  readonly driver: string;
}

const INTEL = "Intel Corporation";
const RED_HAT = "Red Hat, Inc.";

const pciDevices: Controller<MachineSource> = {
  name: "hardware.PCIDevicesController",
  inputs: [],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    const devices: PciDevice[] = [
      {
        address: "0000:00:00.0",
        classId: 0x06,
        subclassId: 0x00,
        vendorId: 0x8086,
        productId: 0x29c0,
        className: "Bridge",
        subclassName: "Host bridge",
        vendor: INTEL,
        product: "82G33/G31/P35/P31 Express DRAM Controller",
        driver: "",
      },
      {
        address: "0000:00:03.0",
        classId: 0x02,
        subclassId: 0x00,
        vendorId: 0x1af4,
        productId: 0x1000,
        className: "Network controller",
        subclassName: "Ethernet controller",
        vendor: RED_HAT,
        product: "Virtio network device",
        driver: "virtio-pci",
      },
      ...source.disks.map(
        (_, i): PciDevice => ({
          address: `0000:00:0${(i % 8) + 5}.0`,
          classId: 0x01,
          subclassId: 0x00,
          vendorId: 0x1af4,
          productId: 0x1001,
          className: "Mass storage controller",
          subclassName: "SCSI storage controller",
          vendor: RED_HAT,
          product: "Virtio block device",
          driver: "virtio-pci",
        }),
      ),
      {
        address: "0000:00:1f.0",
        classId: 0x06,
        subclassId: 0x01,
        vendorId: 0x8086,
        productId: 0x2918,
        className: "Bridge",
        subclassName: "ISA bridge",
        vendor: INTEL,
        product: "82801IB (ICH9) LPC Interface Controller",
        driver: "lpc_ich",
      },
    ];
    const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, "0")}`;
    for (const d of devices) {
      put(
        PCI_DEVICE,
        NS.hardware,
        d.address,
        spec(PCIDeviceSpecSchema, {
          class: d.className,
          subclass: d.subclassName,
          vendor: d.vendor,
          product: d.product,
          classId: hex(d.classId, 2),
          subclassId: hex(d.subclassId, 2),
          vendorId: hex(d.vendorId, 4),
          productId: hex(d.productId, 4),
          driver: d.driver,
        }),
      );
    }
  },
};

/**
 * The kernel's view of the CPUs (/proc/cpuinfo), one CPUCore per physical core keyed
 * `<physical id>-<core id>` with its logical CPUs (siderolabs/talos:
 * internal/app/machined/pkg/controllers/hardware/cpu.go).
 */
const cpuCores: Controller<MachineSource> = {
  name: "hardware.CPUInfoController",
  inputs: [],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    const cores = new Map<string, { row: ReturnType<typeof cpuInfo>[number]; logical: number[] }>();
    for (const row of cpuInfo()) {
      const id =
        row.physicalId !== "" && row.coreId !== ""
          ? `${row.physicalId}-${row.coreId}`
          : String(row.processor);
      const core = cores.get(id) ?? { row, logical: [] };
      core.logical.push(row.processor);
      cores.set(id, core);
    }
    for (const [id, { row, logical }] of cores) {
      put(
        CPU_CORE,
        NS.hardware,
        id,
        spec(CPUCoreSpecSchema, {
          socket: row.physicalId,
          coreId: row.coreId,
          logicalCpUs: logical.sort((a, b) => a - b),
          vendorId: row.vendorId,
          cpuFamily: row.cpuFamily,
          model: row.model,
          modelName: row.modelName,
          stepping: row.stepping,
          microcode: row.microcode,
          cacheSize: row.cacheSize,
          coresPerSocket: row.cpuCores,
          threadsPerSocket: row.siblings,
          flags: [...row.flags],
          bugs: [...row.bugs],
          bogoMips: row.bogoMips,
          addressSizes: row.addressSizes,
        }),
      );
    }
  },
};

export const HARDWARE_CONTROLLERS: readonly Controller<MachineSource>[] = [systemInfo, pciDevices, cpuCores];
