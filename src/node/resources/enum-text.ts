// How Talos writes its enums in yaml_spec: each Go enum type marshals to a text (its
// `enumer -linecomment` name; a value without a name is written `Type(n)`), and the protobuf
// enum of proto_spec carries the same number. The table is written from Talos's enum
// definitions (siderolabs/talos: pkg/machinery/nethelpers, pkg/machinery/resources/*): for
// each protobuf enum, the Go type name and `number:text` pairs (separated by spaces, or by the
// third element when a text holds a space).
import type { DescEnum } from "@bufbuild/protobuf";

type Row = readonly [goType: string, pairs: string, separator?: string];

const TABLE: Readonly<Record<string, Row>> = {
  BlockEncryptionKeyType: ["EncryptionKeyType", `0:static 1:nodeID 2:kms 3:tpm`],
  BlockEncryptionProviderType: ["EncryptionProviderType", `0:none 1:luks2`],
  BlockFSParameterType: ["FSParameterType", `0:string 1:boolean 2:binary`],
  BlockFilesystemType: ["FilesystemType", `0:none 1:xfs 2:vfat 3:ext4 4:iso9660 5:swapi 6:virtiofs 7:btrfs`],
  BlockVolumePhase: [
    "VolumePhase",
    `0:waiting 1:failed 2:missing 3:located 4:provisioned 5:prepared 6:ready 7:closed`,
  ],
  BlockVolumeType: ["VolumeType", `0:partition 1:disk 2:tmpfs 3:directory 4:symlink 5:overlay 6:external`],
  ContainersContainerImagePhase: ["ContainerImagePhase", `0:pending 1:pulling 2:ready 3:failed`],
  CriImageCacheCopyStatus: ["ImageCacheCopyStatus", `0:unknown 1:skipped 2:copying 3:ready`],
  CriImageCacheStatus: ["ImageCacheStatus", `0:unknown 1:disabled 2:preparing 3:ready`],
  KubespanPeerState: ["PeerState", `0:unknown 1:up 2:down`],
  MachineType: ["MachineType", `0:unknown 1:init 2:controlplane 3:worker`],
  NethelpersADLACPActive: ["ADLACPActive", `0:off 1:on`],
  NethelpersADSelect: ["ADSelect", `0:stable 1:bandwidth 2:count`],
  NethelpersARPAllTargets: ["ARPAllTargets", `0:any 1:all`],
  NethelpersARPValidate: [
    "ARPValidate",
    `0:none 1:active 2:backup 3:all 4:filter 5:filter-active 6:filter-backup`,
  ],
  NethelpersAddressFlag: [
    "AddressFlag",
    `1:temporary 2:nodad 4:optimistic 8:dadfailed 16:homeaddress 32:deprecated 64:tentative 128:permanent 256:mngmtmpaddr 512:noprefixroute 1024:mcautojoin 2048:stableprivacy`,
  ],
  NethelpersAddressSortAlgorithm: ["AddressSortAlgorithm", `0:v1 1:v2`],
  NethelpersAutoHostnameKind: ["AutoHostnameKind", `0:off 1:talos-addr 2:stable`],
  NethelpersBGPSessionState: [
    "BGPSessionState",
    `0:UNKNOWN 1:IDLE 2:CONNECT 3:ACTIVE 4:OPEN_SENT 5:OPEN_CONFIRM 6:ESTABLISHED`,
  ],
  NethelpersBondMode: [
    "BondMode",
    `0:balance-rr 1:active-backup 2:balance-xor 3:broadcast 4:802.3ad 5:balance-tlb 6:balance-alb`,
  ],
  NethelpersBondXmitHashPolicy: [
    "BondXmitHashPolicy",
    `0:layer2 1:layer3+4 2:layer2+3 3:encap2+3 4:encap3+4`,
  ],
  NethelpersClientIdentifier: ["ClientIdentifier", `0:none 1:mac 2:duid`],
  NethelpersConntrackState: ["ConntrackState", `1:invalid 2:established 4:related 8:new`],
  NethelpersDNSProtocol: ["DNSProtocol", `0:Do53 1:DoT 2:DoH`],
  NethelpersDuplex: ["Duplex", `0:Half 1:Full 255:Unknown`],
  NethelpersFailOverMAC: ["FailOverMAC", `0:none 1:active 2:follow`],
  NethelpersFamily: ["Family", `2:inet4 10:inet6`],
  NethelpersLACPRate: ["LACPRate", `0:slow 1:fast`],
  NethelpersLinkType: [
    "LinkType",
    `0:netrom 1:ether 2:eether 3:ax25 4:pronet 5:chaos 6:ieee802 7:arcnet 8:atalk 15:dlci 19:atm 23:metricom 24:ieee1394 27:eui64 32:infiniband 256:slip 257:cslip 258:slip6 259:cslip6 260:rsrvd 264:adapt 270:rose 271:x25 272:hwx25 280:can 512:ppp 513:cisco 516:lapb 517:ddcmp 518:rawhdlc 768:ipip 769:tunnel6 770:frad 771:skip 772:loopback 773:localtlk 774:fddi 775:bif 776:sit 777:ip/ddp 778:gre 779:pimreg 780:hippi 781:ash 782:econet 783:irda 784:fcpp 785:fcal 786:fcpl 787:fcfb_0 788:fcfb_1 789:fcfb_2 790:fcfb_3 791:fcfb_4 792:fcfb_5 793:fcfb_6 794:fcfb_7 795:fcfb_8 796:fcfb_9 797:fcfb_10 798:fcfb_11 799:fcfb_12 800:tr 801:ieee802.11 802:ieee802.11_prism 803:ieee802.11_radiotap 804:ieee802.15.4 805:ieee802.15.4_monitor 820:phonet 821:phonet_pipe 822:caif 823:ip6gre 824:netlink 825:6lowpan 65534:nohdr 65535:void`,
  ],
  NethelpersMatchOperator: ["MatchOperator", `0:== 1:!=`],
  NethelpersNfTablesChainHook: ["NfTablesChainHook", `0:prerouting 1:input 2:forward 3:output 4:postrouting`],
  NethelpersNfTablesChainPriority: [
    "NfTablesChainPriority",
    `0:filter 50:security 100:nat-source 225:selinux-last 300:conntrack-helper 2147483647:last`,
  ],
  NethelpersNfTablesVerdict: ["NfTablesVerdict", `0:drop 1:accept`],
  NethelpersOperationalState: [
    "OperationalState",
    `0:unknown 1:notPresent 2:down 3:lowerLayerDown 4:testing 5:dormant 6:up`,
  ],
  NethelpersPort: ["Port", `0:TwistedPair 1:AUI 2:MII 3: 4:BNC 5:DirectAttach 239:None 255:Other`],
  NethelpersPrimaryReselect: ["PrimaryReselect", `0:always 1:better 2:failure`],
  NethelpersProtocol: ["Protocol", `1:icmp 6:tcp 17:udp 58:icmpv6`],
  NethelpersRouteFlag: [
    "RouteFlag",
    `256:notify 512:cloned 1024:equalize 2048:prefix 4096:lookup_table 8192:fib_match 16384:offload 32768:trap`,
  ],
  NethelpersRouteProtocol: [
    "RouteProtocol",
    `0:unspec 1:redirect 2:kernel 3:boot 4:static 9:ra 10:mrt 11:zebra 12:bird 13:dnrouted 14:xorp 15:ntk 16:dhcp 17:mrtd 18:keepalived 42:babel 99:openr 186:bgp 187:isis 188:ospf 189:rip 192:eigrp`,
  ],
  NethelpersRouteType: [
    "RouteType",
    `0:unspec 1:unicast 2:local 3:broadcast 4:anycast 5:multicast 6:blackhole 7:unreachable 8:prohibit 9:throw 10:nat 11:xresolve`,
  ],
  NethelpersRoutingRuleAction: [
    "RoutingRuleAction",
    `0:unspec 1:unicast 6:blackhole 7:unreachable 8:prohibit`,
  ],
  NethelpersRoutingTable: [
    "RoutingTable",
    `0:unspec 1:1 2:2 3:3 4:4 5:5 6:6 7:7 8:8 9:9 10:10 11:11 12:12 13:13 14:14 15:15 16:16 17:17 18:18 19:19 20:20 21:21 22:22 23:23 24:24 25:25 26:26 27:27 28:28 29:29 30:30 31:31 32:32 33:33 34:34 35:35 36:36 37:37 38:38 39:39 40:40 41:41 42:42 43:43 44:44 45:45 46:46 47:47 48:48 49:49 50:50 51:51 52:52 53:53 54:54 55:55 56:56 57:57 58:58 59:59 60:60 61:61 62:62 63:63 64:64 65:65 66:66 67:67 68:68 69:69 70:70 71:71 72:72 73:73 74:74 75:75 76:76 77:77 78:78 79:79 80:80 81:81 82:82 83:83 84:84 85:85 86:86 87:87 88:88 89:89 90:90 91:91 92:92 93:93 94:94 95:95 96:96 97:97 98:98 99:99 100:100 101:101 102:102 103:103 104:104 105:105 106:106 107:107 108:108 109:109 110:110 111:111 112:112 113:113 114:114 115:115 116:116 117:117 118:118 119:119 120:120 121:121 122:122 123:123 124:124 125:125 126:126 127:127 128:128 129:129 130:130 131:131 132:132 133:133 134:134 135:135 136:136 137:137 138:138 139:139 140:140 141:141 142:142 143:143 144:144 145:145 146:146 147:147 148:148 149:149 150:150 151:151 152:152 153:153 154:154 155:155 156:156 157:157 158:158 159:159 160:160 161:161 162:162 163:163 164:164 165:165 166:166 167:167 168:168 169:169 170:170 171:171 172:172 173:173 174:174 175:175 176:176 177:177 178:178 179:179 180:180 181:181 182:182 183:183 184:184 185:185 186:186 187:187 188:188 189:189 190:190 191:191 192:192 193:193 194:194 195:195 196:196 197:197 198:198 199:199 200:200 201:201 202:202 203:203 204:204 205:205 206:206 207:207 208:208 209:209 210:210 211:211 212:212 213:213 214:214 215:215 216:216 217:217 218:218 219:219 220:220 221:221 222:222 223:223 224:224 225:225 226:226 227:227 228:228 229:229 230:230 231:231 232:232 233:233 234:234 235:235 236:236 237:237 238:238 239:239 240:240 241:241 242:242 243:243 244:244 245:245 246:246 247:247 248:248 249:249 250:250 251:251 252:252 253:default 254:main 255:local`,
  ],
  NethelpersScope: ["Scope", `0:global 200:site 253:link 254:host 255:nowhere`],
  NethelpersVLANProtocol: ["VLANProtocol", `33024:802.1q 34984:802.1ad`],
  NethelpersWOLMode: [
    "WOLMode",
    `1:phy 2:unicast 4:multicast 8:broadcast 32:magic 64:magicsecure 128:filter`,
  ],
  NetworkConfigLayer: ["ConfigLayer", `0:default 1:cmdline 2:platform 3:operator 4:configuration`],
  NetworkOperator: ["Operator", `0:dhcp4 1:dhcp6 2:vip`],
  RuntimeFIPSState: ["FIPSState", `0:disabled|1:enabled|2:enabled, strict`, "|"],
  RuntimeKernelModuleState: ["KernelModuleState", `0:live 1:loading 2:unloading 3:built-in`],
  RuntimeKernelModuleType: ["KernelModuleType", `0:unknown 1:built-in 2:dynamic`],
  RuntimeMachineStage: [
    "MachineStage",
    `0:unknown|1:booting|2:installing|3:maintenance|4:running|5:rebooting|6:shutting down|7:resetting|8:upgrading`,
    "|",
  ],
  RuntimeSELinuxState: ["SELinuxState", `0:disabled|1:enabled, permissive|2:enabled, enforcing`, "|"],
  RuntimeUnattendedInstallPhase: [
    "UnattendedInstallPhase",
    `0:pending 1:installing 2:installed 3:waiting-for-reboot 4:failed`,
  ],
  StorageLVMLogicalVolumeType: ["LVMLogicalVolumeType", `0:linear 1:raid1 2:raid0 3:raid10`],
  StorageMDArrayPhase: ["MDArrayPhase", `0:unknown 1:waiting 2:rebuilding 3:ready 4:error`],
  StorageMDLevel: ["MDLevel", `0:raid1`],
  StorageMDMetadata: ["MDMetadata", `0:1.0 1:1.2`],
};

const PARSED = new Map<
  string,
  { goType: string; byNumber: Map<number, string>; byText: Map<string, number> }
>();

function parsed(name: string) {
  let entry = PARSED.get(name);
  if (entry) return entry;
  const row = TABLE[name];
  if (!row) return undefined;
  const [goType, pairs, separator = " "] = row;
  const byNumber = new Map<number, string>();
  const byText = new Map<string, number>();
  for (const pair of pairs.split(separator)) {
    const colon = pair.indexOf(":");
    const n = Number(pair.slice(0, colon));
    const text = pair.slice(colon + 1);
    if (!byNumber.has(n)) byNumber.set(n, text);
    if (!byText.has(text)) byText.set(text, n);
  }
  entry = { goType, byNumber, byText };
  PARSED.set(name, entry);
  return entry;
}

/** The short name of a protobuf enum (`NethelpersLinkType`), the key of the table. */
function shortName(schema: DescEnum): string {
  return schema.name;
}

/** The text Talos writes for an enum value. */
export function enumText(schema: DescEnum, value: number): string {
  const entry = parsed(shortName(schema));
  if (!entry) return String(value);
  return entry.byNumber.get(value) ?? `${entry.goType}(${value})`;
}

/** The number of an enum text (the inverse of enumText), undefined when Talos has no such text. */
export function enumNumber(schema: DescEnum, text: string): number | undefined {
  return parsed(shortName(schema))?.byText.get(text);
}

/** Whether Talos's text of every value of this enum is known. */
export function hasEnumText(schema: DescEnum): boolean {
  return parsed(shortName(schema)) !== undefined;
}
