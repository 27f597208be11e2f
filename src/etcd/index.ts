// etcd's storage formats, shared by the node (which keeps an emulated etcd) and talosctl
// (which checks the snapshots it saves and uploads): bbolt files, etcd's snapshot layout and
// status, and the protobuf messages etcd stores.
export {
  BOLT_PAGE_SIZE,
  type BoltBucket,
  BoltError,
  type BoltFile,
  type BoltLayout,
  compactPages,
  compareBytes,
  layoutBolt,
  readBolt,
  writeBolt,
} from "./bbolt.js";
export { Crc32c } from "./crc32c.js";
export { decodeKeyValue, encodeAlarmMember, encodeKeyValue, type KeyValue } from "./proto.js";
export {
  BUCKET,
  boltStatus,
  bucketNamed,
  hasSnapshotChecksum,
  parseRevisionKey,
  type Revision,
  revisionKey,
  SNAPSHOT_HASH_BYTES,
  SnapshotError,
  type SnapshotStatus,
  snapshotStatus,
  verifySnapshot,
} from "./snapshot.js";
