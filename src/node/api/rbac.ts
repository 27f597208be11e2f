// Which roles may call which method, as a Talos node decides it. Methods not listed need
// os:admin. A few methods let a reader in only in maintenance mode; their handlers check that.
import { ROLE } from "../../pki/index.js";

/** The roles (their names live with the certificates that carry them, in src/pki). */
export const Role = {
  Admin: ROLE.admin,
  Operator: ROLE.operator,
  Reader: ROLE.reader,
  EtcdBackup: ROLE.etcdBackup,
  ImageVerifier: ROLE.imageVerifier,
  MetaWriter: ROLE.metaWriter,
  Impersonator: ROLE.impersonator,
} as const;

export type RoleName = (typeof Role)[keyof typeof Role];

const A = Role.Admin;
const O = Role.Operator;
const R = Role.Reader;
const E = Role.EtcdBackup;
const I = Role.ImageVerifier;
const M = Role.MetaWriter;

function rules(
  service: string,
  methods: readonly string[],
  roles: readonly string[],
): [string, readonly string[]][] {
  return methods.map((m) => [`/${service}/${m}`, roles]);
}

const RULES: ReadonlyMap<string, readonly string[]> = new Map([
  ...rules(
    "machine.MachineService",
    [
      "CPUInfo",
      "CPUFreqStats",
      "Containers",
      "DiskStats",
      "DiskUsage",
      "Dmesg",
      "Events",
      "Hostname",
      "ImageList",
      "List",
      "LoadAvg",
      "Logs",
      "LogsContainers",
      "Memory",
      "Mounts",
      "NetworkDeviceStats",
      "Netstat",
      "Processes",
      "ServiceList",
      "Stats",
      "SystemStat",
      "Version",
    ],
    [A, O, R],
  ),
  ...rules("machine.MachineService", ["EtcdMemberList", "EtcdStatus", "EtcdAlarmList"], [A, O, R, E]),
  ...rules("machine.MachineService", ["EtcdSnapshot"], [A, O, E]),
  ...rules(
    "machine.MachineService",
    [
      "EtcdAlarmDisarm",
      "EtcdDefragment",
      "ImagePull",
      "PacketCapture",
      "Reboot",
      "Restart",
      "ServiceRestart",
      "ServiceStart",
      "ServiceStop",
      "Shutdown",
    ],
    [A, O],
  ),
  ...rules("machine.MachineService", ["MetaWrite", "MetaDelete"], [A, M]),
  ...rules("machine.MachineService", ["ApplyConfiguration"], [A, R]),
  ...rules("machine.ImageService", ["List"], [A, O, R]),
  ...rules("machine.ImageService", ["Pull"], [A, O]),
  ...rules("machine.ImageService", ["Import", "Remove"], [A]),
  ...rules("machine.ImageService", ["Verify"], [A, O, R, I]),
  ...rules("machine.LifecycleService", ["Install", "Upgrade"], [A]),
  ...rules("storage.StorageService", ["Disks"], [A, O, R]),
  ...rules("storage.StorageService", ["BlockDeviceWipe"], [A, R]),
  ...rules("machine.StorageService", ["Statfs"], [A, O, R]),
  ...rules(
    "machine.LVMService",
    ["LogicalVolumeRemove", "VolumeGroupRemove", "PhysicalVolumeRemove"],
    [A, R],
  ),
  ...rules("machine.MDService", ["Destroy"], [A, R]),
  ...rules("cluster.ClusterService", ["HealthCheck"], [A, O, R]),
  ...rules("inspect.InspectService", ["ControllerRuntimeDependencies"], [A, O, R]),
  ...rules("time.TimeService", ["Time", "TimeCheck"], [A, O, R]),
  ...rules("cosi.resource.State", ["Get", "List", "Watch"], [A, O, R]),
]);

/** Methods whose handler lets a reader in only while the node is in maintenance mode. */
export const READER_ONLY_IN_MAINTENANCE: ReadonlySet<string> = new Set([
  "/machine.MachineService/ApplyConfiguration",
  "/storage.StorageService/BlockDeviceWipe",
  "/machine.LVMService/LogicalVolumeRemove",
  "/machine.LVMService/VolumeGroupRemove",
  "/machine.LVMService/PhysicalVolumeRemove",
  "/machine.MDService/Destroy",
]);

/** The roles that may call a method (full gRPC path, e.g. `/machine.MachineService/Version`). */
export function allowedRoles(method: string): readonly string[] {
  return RULES.get(method) ?? [A];
}

export function isAuthorized(method: string, roles: Iterable<string>): boolean {
  const allowed = allowedRoles(method);
  for (const r of roles) if (allowed.includes(r)) return true;
  return false;
}

/** Talos's denial text (PermissionDenied). */
export const NOT_AUTHORIZED = "not authorized";
