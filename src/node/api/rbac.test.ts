import { describe, expect, it } from "vitest";
import { allowedRoles, isAuthorized, Role } from "./rbac.js";

describe("RBAC", () => {
  it("lets readers call informational methods only", () => {
    expect(isAuthorized("/machine.MachineService/Version", [Role.Reader])).toBe(true);
    expect(isAuthorized("/machine.MachineService/Reboot", [Role.Reader])).toBe(false);
    expect(isAuthorized("/machine.MachineService/Read", [Role.Reader])).toBe(false);
    expect(isAuthorized("/machine.MachineService/Kubeconfig", [Role.Operator])).toBe(false);
  });

  it("gives operators management without secrets", () => {
    expect(isAuthorized("/machine.MachineService/Reboot", [Role.Operator])).toBe(true);
    expect(isAuthorized("/machine.MachineService/EtcdSnapshot", [Role.Operator])).toBe(true);
    expect(isAuthorized("/machine.MachineService/Upgrade", [Role.Operator])).toBe(false);
    expect(isAuthorized("/machine.LifecycleService/Upgrade", [Role.Operator])).toBe(false);
  });

  it("scopes the narrow roles", () => {
    expect(isAuthorized("/machine.MachineService/EtcdSnapshot", [Role.EtcdBackup])).toBe(true);
    expect(isAuthorized("/machine.MachineService/EtcdDefragment", [Role.EtcdBackup])).toBe(false);
    expect(isAuthorized("/machine.ImageService/Verify", [Role.ImageVerifier])).toBe(true);
    expect(isAuthorized("/machine.ImageService/List", [Role.ImageVerifier])).toBe(false);
    expect(isAuthorized("/machine.MachineService/MetaWrite", [Role.MetaWriter])).toBe(true);
  });

  it("covers the services of the development branch", () => {
    expect(isAuthorized("/machine.StorageService/Statfs", [Role.Reader])).toBe(true);
    expect(isAuthorized("/machine.DebugService/ContainerRun", [Role.Operator])).toBe(false);
    expect(isAuthorized("/machine.DebugService/ContainerRun", [Role.Admin])).toBe(true);
    expect(isAuthorized("/machine.LVMService/VolumeGroupRemove", [Role.Reader])).toBe(true);
    expect(isAuthorized("/machine.LVMService/VolumeGroupRemove", [Role.Operator])).toBe(false);
    expect(isAuthorized("/machine.MDService/Destroy", [Role.Reader])).toBe(true);
  });

  it("needs admin for anything not listed, and admin may call everything", () => {
    expect(allowedRoles("/machine.MachineService/NoSuchMethod")).toEqual([Role.Admin]);
    expect(isAuthorized("/cosi.resource.State/Create", [Role.Operator])).toBe(false);
    expect(isAuthorized("/machine.MachineService/Reset", [Role.Admin])).toBe(true);
    expect(isAuthorized("/machine.MachineService/Version", [])).toBe(false);
    expect(isAuthorized("/machine.MachineService/Version", ["os:unknown-future-role"])).toBe(false);
  });
});
