// Talos's RuntimeValidate checks: they run only when the machine's state is given (the node's
// apply), and each one only with the answer it needs.
import { describe, expect, it } from "vitest";
import { loadMachineConfig } from "../load/index.js";
import { installDiskExpression, systemVolumeBacking } from "./runtime.js";
import { doc, merge, run, WORKER } from "./testkit.js";

const PARTITION = { provisioning: { diskSelector: { match: "disk.transport == 'nvme'" }, maxSize: "10GiB" } };

describe("runtime checks", () => {
  it("are skipped without the machine's state, as talosctl validate skips them", () => {
    const out = run([
      merge(WORKER, { machine: { install: { diskSelector: { size: ">= 1TB" } } } }),
      doc("VolumeConfig", { name: "ETCD", ...PARTITION }),
      doc("PCIDriverRebindConfig", { name: "0000:04:00.00", targetDriver: "vfio-pci" }),
    ]);
    expect(out).toEqual({ errors: [], warnings: [] });
  });

  it("refuses an install disk selector that matches no disk", () => {
    const base = merge(WORKER, { machine: { install: { diskSelector: { size: ">= 1TB" } } } });
    const runtime = {
      matchInstallDisks: () => ({ matched: 0, expression: "disk.size >= 1000000000000u" }),
    };
    expect(run([base], { runtime }).errors).toEqual([
      'v1alpha1 machine.install.diskSelector: no disks matched the expression: disk.size >= 1000000000000u && disk.transport != "" && !disk.readonly && !disk.cdrom',
    ]);
    const found = { matchInstallDisks: () => ({ matched: 1, expression: "disk.size >= 1000000000000u" }) };
    expect(run([base], { runtime: found }).errors).toEqual([]);
    // Only metal installs.
    expect(run([base], { runtime, mode: "cloud" }).errors).toEqual([]);
  });

  it("prints the selector as the CEL expression Talos builds, wrapped as cel-go wraps it", () => {
    expect(installDiskExpression({ size: "4GB", type: "nvme" })).toBe(
      'disk.size == 4000000000u && disk.transport != "" && disk.transport == "nvme" &&\n!disk.readonly && !disk.cdrom',
    );
    expect(installDiskExpression({ size: "1MiB", type: "nvme" })).toBe(
      'disk.size == 1048576u && disk.transport != "" && disk.transport == "nvme" && !disk.readonly &&\n!disk.cdrom',
    );
    expect(installDiskExpression({ busPath: "/pci-0000:00:17.0/*", type: "ssd", model: "WDC*" })).toBe(
      'glob("WDC*", disk.model) && disk.transport != "" && !disk.rotational && glob("/pci-0000:00:17.0/*", disk.bus_path) &&\n!disk.readonly && !disk.cdrom',
    );
    expect(installDiskExpression({ serial: "S1", uuid: "u-*", size: "< 1 TiB" })).toBe(
      'disk.size < 1099511627776u && glob("u-*", disk.uuid) && glob("S1", disk.serial) &&\ndisk.transport != "" && !disk.readonly && !disk.cdrom',
    );
    expect(installDiskExpression({ name: "sda" })).toBeUndefined();
  });

  it("reports a selector that makes no expression again instead of matching it", () => {
    const base = merge(WORKER, { machine: { install: { diskSelector: { type: "floppy" } } } });
    let asked = 0;
    const runtime = {
      matchInstallDisks: () => {
        asked++;
        return { matched: 0, expression: "" };
      },
    };
    const problem =
      'v1alpha1 machine.install.diskSelector: install disk selector is invalid: unsupported disk type "floppy"';
    expect(run([base], { runtime }).errors).toEqual([
      problem,
      "v1alpha1 machine.install: either install disk or diskSelector should be defined",
      problem,
    ]);
    expect(asked).toBe(0);
  });

  it("keeps a settled system volume's backing", () => {
    const runtime = {
      volumeBacking: (name: string) => (name === "ETCD" ? ("directory" as const) : undefined),
    };
    expect(run([WORKER, doc("VolumeConfig", { name: "ETCD", ...PARTITION })], { runtime }).errors).toEqual([
      'VolumeConfig/ETCD: the backing of the "ETCD" system volume cannot be changed after creation (current: directory, requested: partition); migrating an existing system volume to or from a dedicated partition is not supported',
    ]);
    expect(run([WORKER, doc("VolumeConfig", { name: "ETCD" })], { runtime }).errors).toEqual([]);
    // Volumes not yet established conflict with nothing.
    expect(run([WORKER, doc("VolumeConfig", { name: "CRI", ...PARTITION })], { runtime }).errors).toEqual([]);
    // Talos 1.13 had no such rule: it took no VolumeConfig for ETCD at all.
    expect(
      run([WORKER, doc("VolumeConfig", { name: "ETCD", ...PARTITION })], {
        runtime,
        talosVersion: "v1.13.0",
        mode: "cloud",
      }).errors,
    ).toEqual([
      "v1alpha1 cluster.controlPlane.endpoint: cluster controlplane endpoint is required",
      'VolumeConfig/ETCD name: only ["STATE" "EPHEMERAL" "IMAGECACHE"] volumes are supported',
    ]);
  });

  it("checks the backing alongside the document's own rules, both ways", () => {
    const runtime = {
      volumeBacking: (name: string) => (name === "KUBELET" ? ("partition" as const) : undefined),
    };
    // A VolumeConfig without provisioning asks for a directory; its mount also needs a partition.
    expect(
      run([WORKER, doc("VolumeConfig", { name: "KUBELET", mount: { secure: true } })], { runtime }).errors,
    ).toEqual([
      'VolumeConfig/KUBELET mount: mount config for the "KUBELET" volume is only supported when it is provisioned onto a dedicated partition',
      'VolumeConfig/KUBELET: the backing of the "KUBELET" system volume cannot be changed after creation (current: partition, requested: directory); migrating an existing system volume to or from a dedicated partition is not supported',
    ]);
    // A "0" size is a requested size: the partition stays.
    expect(
      run([WORKER, doc("VolumeConfig", { name: "KUBELET", provisioning: { minSize: "0" } })], { runtime })
        .errors,
    ).toEqual([]);
  });

  it("refuses removing the VolumeConfig of a partition-backed system volume", () => {
    const runtime = {
      volumeBacking: (name: string) => (name === "LOG" ? ("partition" as const) : undefined),
    };
    expect(run([WORKER], { runtime }).errors).toEqual([
      'v1alpha1: the "LOG" system volume is backed by a dedicated partition and its VolumeConfig cannot be removed; migrating a system volume off a dedicated partition is not supported',
    ]);
    expect(run([WORKER, doc("VolumeConfig", { name: "LOG", ...PARTITION })], { runtime }).errors).toEqual([]);
  });

  it("warns that PCI driver rebinding does nothing without IOMMU groups", () => {
    const rebind = doc("PCIDriverRebindConfig", { name: "0000:04:00.00", targetDriver: "vfio-pci" });
    expect(run([WORKER, rebind], { runtime: { iommu: false } }).warnings).toEqual([
      "PCIDriverRebindConfig/0000:04:00.00: IOMMU is not enabled, this config change might not have any effect",
    ]);
    expect(run([WORKER, rebind], { runtime: { iommu: true } }).warnings).toEqual([]);
  });

  it("reads how a config lays out the promotable system volumes", () => {
    const cfg = loadMachineConfig(
      "apiVersion: v1alpha1\nkind: VolumeConfig\nname: ETCD\nprovisioning:\n  maxSize: 10GiB\n",
      {},
    );
    expect(systemVolumeBacking(cfg, "ETCD")).toBe("partition");
    expect(systemVolumeBacking(cfg, "CRI")).toBe("directory");
    expect(systemVolumeBacking(cfg, "EPHEMERAL")).toBeUndefined();
  });
});
