// The YAML layout of every spec message (see spec-yaml.ts for the token syntax), written from
// the Go spec structs of siderolabs/talos: pkg/machinery/resources/* (the `yaml` tag, its
// `omitempty` and `inline` options, pointer fields and the Go types with their own text form,
// in the struct's field order, matched to the protobuf field by its `protobuf` number).
/** Message type name → layout. */
export const SPEC_LAYOUTS: Readonly<Record<string, string>> = {
  "talos.resource.definitions.block.DeviceSpec":
    "type major minor partitionName? partitionNumber? devicePath generation parent? secondaries?",
  "talos.resource.definitions.block.DiscoveredVolumeSpec":
    "dev_path type device_path parent? parent_dev_path? offset size pretty_size sector_size? io_size? name uuid? label? block_size? filesystem_block_size? probed_size? partition_uuid? partition_type? partition_label? partition_index?",
  "talos.resource.definitions.block.DiscoveredVolumesStatusSpec": "ready",
  "talos.resource.definitions.block.DiscoveryRefreshRequestSpec": "request",
  "talos.resource.definitions.block.DiscoveryRefreshStatusSpec": "request",
  "talos.resource.definitions.block.DiskSelector": "match? external?",
  "talos.resource.definitions.block.DiskSpec":
    "dev_path size pretty_size io_size sector_size readonly cdrom model? firmware_version? serial? modalias? wwid? uuid? bus_path? sub_system? transport? rotational? secondary_disks? symlinks?",
  "talos.resource.definitions.block.EncryptionKey":
    "slot type lockToState? staticPassphrase?:text kmsEndpoint? tpmCheckSecurebootStatusOnEnroll? pcrs=tpmpc_rs? pubKeyPcrs=tpm_pub_key_pc_rs?",
  "talos.resource.definitions.block.EncryptionSpec":
    "provider keys cipher? keySize? blockSize? perfOptions? allowDiscards?",
  "talos.resource.definitions.block.FSScrubScheduleSpec": "filesystem interval nextScrub",
  "talos.resource.definitions.block.FSScrubStatusSpec": "mountpoint interval time duration status",
  "talos.resource.definitions.block.FilesystemSpec": "type label? minAllocationGroupSize?",
  "talos.resource.definitions.block.LocatorSpec": "match? diskMatch?",
  "talos.resource.definitions.block.MountRequestSpec":
    "volumeID parentID=parent_mount_id readOnly detached disableAccessTime? secure? noExec? requesters requesterIDs",
  "talos.resource.definitions.block.MountSpec":
    "targetPath selinuxLabel projectQuotaSupport parentId? fileMode? uid? gid? recursiveRelabel? bindTarget?! parameters? secure? noExec?",
  "talos.resource.definitions.block.MountStatusSpec":
    "spec source target filesystem encryptionProvider? readOnly projectQuotaSupport detached",
  "talos.resource.definitions.block.ParameterSpec": "type name string?! binary?",
  "talos.resource.definitions.block.PartitionSpec":
    "minSize maxSize? relativeMaxSize negativeMaxSize grow label? typeUUID?",
  "talos.resource.definitions.block.ProvisioningSpec": "wave? diskSelector? partitionSpec? filesystemSpec?",
  "talos.resource.definitions.block.SwapStatusSpec":
    "device type size=size_bytes sizeHuman used=used_bytes usedHuman priority",
  "talos.resource.definitions.block.SymlinkProvisioningSpec": "symlinkTargetPath force",
  "talos.resource.definitions.block.SymlinkSpec": "paths",
  "talos.resource.definitions.block.SystemDiskSpec": "diskID devPath",
  "talos.resource.definitions.block.TPMEncryptionOptionsInfo": "pcrs? pubKeyPcrs?",
  "talos.resource.definitions.block.UserDiskConfigStatusSpec": "ready tornDown",
  "talos.resource.definitions.block.VolumeConfigSpec":
    "parentId? type provisioning encryption? locator mount? symlink? trimEnabled? trimInterval? scrubEnabled? scrubInterval?",
  "talos.resource.definitions.block.VolumeMountRequestSpec":
    "volumeID requester readOnly detached disableAccessTime secure noExec",
  "talos.resource.definitions.block.VolumeMountStatusSpec":
    "volumeID requester target readOnly detached disableAccessTime secure noExec",
  "talos.resource.definitions.block.VolumeStatusSpec":
    "phase preFailPhase? type parentID? location? mountLocation? partitionIndex? parentLocation? uuid? partitionUUID? size? prettySize? filesystem? encryptionProvider? encryptionFailedSyncs? configuredEncryptionKeys? encryptionLockedToState? encryptionSlot?! tpmEncryptionOptions? encryptionAllowDiscards? trimEnabled? trimInterval? scrubEnabled? scrubInterval? mountSpec? symlink=symlink_spec? errorMessage?",
  "talos.resource.definitions.block.VolumeTrimScheduleSpec": "filesystem interval nextTrim",
  "talos.resource.definitions.block.ZswapStatusSpec":
    "totalSize=total_size_bytes totalSizeHuman storedPages poolLimitHit rejectReclaimFail rejectAllocFail rejectKmemcacheFail rejectCompressFail rejectCompressPoor writtenBackPages",
  "talos.resource.definitions.cluster.AffiliateSpec":
    "nodeId addresses hostname nodename? operatingSystem machineType kubespan? controlPlane?!",
  "talos.resource.definitions.cluster.ConfigSpec":
    "discoveryEnabled registryKubernetesEnabled registryServiceEnabled serviceEndpoint serviceEndpointInsecure? serviceEncryptionKey serviceClusterID serviceEndpoints",
  "talos.resource.definitions.cluster.ControlPlane": "port=api_server_port",
  "talos.resource.definitions.cluster.IdentitySpec": "nodeId",
  "talos.resource.definitions.cluster.InfoSpec": "clusterId clusterName",
  "talos.resource.definitions.cluster.KubeSpanAffiliateSpec":
    "publicKey address additionalAddresses endpoints excludeAdvertisedNetworks",
  "talos.resource.definitions.cluster.MemberSpec":
    "nodeId addresses hostname machineType operatingSystem controlPlane?!",
  "talos.resource.definitions.cluster.ServiceEndpoint": "name endpoint insecure",
  "talos.resource.definitions.containers.ContainerDependsOnSpec": "paths? networks? time? containers?",
  "talos.resource.definitions.containers.ContainerImageSpec": "ref?",
  "talos.resource.definitions.containers.ContainerImageStatusSpec": "phase image digest? error?",
  "talos.resource.definitions.containers.ContainerInstanceSpecSpec":
    "containerID generation image entrypoint? args? workingDir? runAs? environment? mounts? security? network? resources?",
  "talos.resource.definitions.containers.ContainerMountSpec":
    "kind volumeID? source? destination size? options?",
  "talos.resource.definitions.containers.ContainerNetworkSpec": "hostNetwork?",
  "talos.resource.definitions.containers.ContainerResourcesSpec": "memoryLimit? cpuLimit?",
  "talos.resource.definitions.containers.ContainerRunAsSpec": "uid?! gid?!",
  "talos.resource.definitions.containers.ContainerSecuritySpec":
    "privileged? capabilitiesAdd? capabilitiesDrop?",
  "talos.resource.definitions.containers.ContainerSpecSpec":
    "image entrypoint? args? workingDir? runAs? environment? mounts? security? network? resources? dependsOn?",
  "talos.resource.definitions.containers.ResolvedMountSpec": "kind source? destination size? options?",
  "talos.resource.definitions.cri.BaseRuntimeSpecConfigSpec": "+object",
  "talos.resource.definitions.cri.CustomizationConfigSpec": "content",
  "talos.resource.definitions.cri.ImageCacheConfigSpec": "status copyStatus roots",
  "talos.resource.definitions.cri.RegistriesConfigSpec":
    "mirrors=registry_mirrors? auths=registry_auths? tls=registry_tl_ss?",
  "talos.resource.definitions.cri.RegistryAuthConfig":
    "username=registry_username? password=registry_password? auth=registry_auth? identityToken=registry_identity_token?",
  "talos.resource.definitions.cri.RegistryEndpointConfig":
    "endpoint=endpoint_endpoint overridePath=endpoint_override_path",
  "talos.resource.definitions.cri.RegistryMirrorConfig":
    "endpoints=mirror_endpoints skipFallback=mirror_skip_fallback?",
  "talos.resource.definitions.cri.RegistryTLSConfig":
    "clientIdentity=tls_client_identity? ca=tlsca?:base64 insecureSkipVerify=tls_insecure_skip_verify?",
  "talos.resource.definitions.cri.SeccompProfileSpec": "name value",
  "talos.resource.definitions.etcd.ArgValues": "values",
  "talos.resource.definitions.etcd.ConfigSpec":
    "advertiseValidSubnets? advertiseExcludeSubnets listenValidSubnets? listenExcludeSubnets image extraArgs",
  "talos.resource.definitions.etcd.MemberSpec": "memberID",
  "talos.resource.definitions.etcd.PKIStatusSpec": "ready version",
  "talos.resource.definitions.etcd.SpecSpec":
    "name advertisedAddresses listenPeerAddresses listenClientAddresses image extraArgs",
  "talos.resource.definitions.extensions.Compatibility": "talos",
  "talos.resource.definitions.extensions.Constraint": "version",
  "talos.resource.definitions.extensions.Layer": "image metadata",
  "talos.resource.definitions.extensions.Metadata":
    "name version author description compatibility extraInfo?",
  "talos.resource.definitions.files.EtcFileSpecSpec": "contents:text mode selinux_label",
  "talos.resource.definitions.files.EtcFileStatusSpec": "specVersion",
  "talos.resource.definitions.hardware.CPUCoreSpec":
    "socket? coreID? logicalCPUs? vendorID? cpuFamily? model? modelName? stepping? microcode? cacheSize? coresPerSocket? threadsPerSocket? flags? bugs? bogoMips? addressSizes?",
  "talos.resource.definitions.hardware.MemoryModuleSpec":
    "sizeMiB=size? deviceLocator? bankLocator? speed? manufacturer? serialNumber? assetTag? productName?",
  "talos.resource.definitions.hardware.PCIDeviceSpec":
    "class? subclass? vendor? product? class_id subclass_id vendor_id product_id driver?",
  "talos.resource.definitions.hardware.PCIDriverRebindConfigSpec": "pciID targetDriver",
  "talos.resource.definitions.hardware.PCIDriverRebindStatusSpec": "pciID targetDriver",
  "talos.resource.definitions.hardware.ProcessorSpec":
    "socket? manufacturer? productName? maxSpeedMhz=max_speed? bootSpeedMhz=boot_speed? status? serialNumber? assetTag? partNumber? coreCount? coreEnabled? threadCount?",
  "talos.resource.definitions.hardware.SystemInformationSpec":
    "manufacturer? productName? version? biosVersion? serialnumber? uuid? wakeUpType? skuNumber?",
  "talos.resource.definitions.k8s.APIServerConfigSpec":
    "image cloudProvider controlPlaneEndpoint etcdServers localPort serviceCIDR=service_cid_rs extraArgs args? extraVolumes environmentVariables advertisedAddress resources startupProbesEnabled useAuthenticationConfig",
  "talos.resource.definitions.k8s.AdmissionControlConfigSpec": "config",
  "talos.resource.definitions.k8s.AdmissionPluginSpec": "name configuration",
  "talos.resource.definitions.k8s.ArgValues": "values",
  "talos.resource.definitions.k8s.AuditPolicyConfigSpec": "config",
  "talos.resource.definitions.k8s.AuthenticationConfigSpec": "config",
  "talos.resource.definitions.k8s.AuthorizationAuthorizersSpec": "type name webhook",
  "talos.resource.definitions.k8s.AuthorizationConfigSpec": "image config",
  "talos.resource.definitions.k8s.BootstrapManifestsConfigSpec":
    "string=server clusterDomain podCIDRs proxyEnabled proxyImage proxyArgs proxyConfig proxyConfigChecksum proxyResources coreDNSEnabled coreDNSImage dnsServiceIP dnsServiceIPv6 flannelEnabled flannelImage flannelExtraArgs flannelKubeServiceHost flannelKubeServicePort flannelKubeNetworkPoliciesEnabled flannelKubeNetworkPoliciesImage flannelBackendType flannelBackendPort flannelBackendMTU flannelBackendExtraConfig flannelResources podSecurityPolicyEnabled talosAPIServiceEnabled cniName",
  "talos.resource.definitions.k8s.ConfigStatusSpec": "ready version",
  "talos.resource.definitions.k8s.ControllerManagerConfigSpec":
    "enabled image cloudProvider podCIDRs serviceCIDRs extraArgs? args? extraVolumes environmentVariables resources nodeCIDRMaskSizeIPv4 nodeCIDRMaskSizeIPv6",
  "talos.resource.definitions.k8s.EndpointSpec": "addresses hosts",
  "talos.resource.definitions.k8s.EtcdEncryptionConfigSpec": "configuration",
  "talos.resource.definitions.k8s.ExtraManifest": "name url priority extraHeaders inlineManifest",
  "talos.resource.definitions.k8s.ExtraManifestsConfigSpec": "extraManifests",
  "talos.resource.definitions.k8s.ExtraVolume": "name hostPath mountPath readonly",
  "talos.resource.definitions.k8s.KubePrismConfigSpec": "host port endpoints",
  "talos.resource.definitions.k8s.KubePrismEndpoint": "host port",
  "talos.resource.definitions.k8s.KubePrismEndpointsSpec": "endpoints",
  "talos.resource.definitions.k8s.KubePrismStatusesSpec": "host healthy",
  "talos.resource.definitions.k8s.KubeletConfigSpec":
    "image clusterDNS clusterDomain extraArgs? extraMounts? extraConfig? cloudProviderExternal defaultRuntimeSeccompEnabled skipNodeRegistration staticPodListURL disableManifestsDirectory enableFSQuotaMonitoring credentialProviderConfig? registerWithTaints?",
  "talos.resource.definitions.k8s.KubeletKubeconfigSpec": "hash",
  "talos.resource.definitions.k8s.KubeletSpecSpec":
    "image args? extraMounts? expectedNodename? config credentialProviderConfig?",
  "talos.resource.definitions.k8s.KubeletStatusSpec": "image",
  "talos.resource.definitions.k8s.ManifestSpec": "items",
  "talos.resource.definitions.k8s.ManifestStatusSpec": "manifestsApplied",
  "talos.resource.definitions.k8s.NodeAnnotationSpecSpec": "key value",
  "talos.resource.definitions.k8s.NodeIPConfigSpec": "validSubnets? excludeSubnets",
  "talos.resource.definitions.k8s.NodeIPSpec": "addresses",
  "talos.resource.definitions.k8s.NodeLabelSpecSpec": "key value",
  "talos.resource.definitions.k8s.NodeStatusSpec":
    "nodename nodeReady unschedulable labels annotations podCIDRs",
  "talos.resource.definitions.k8s.NodeTaintSpecSpec": "key effect value",
  "talos.resource.definitions.k8s.NodenameSpec": "nodename hostnameVersion skipNodeRegistration",
  "talos.resource.definitions.k8s.Resources": "requests limits",
  "talos.resource.definitions.k8s.SchedulerConfigSpec":
    "enabled image extraArgs? args? config extraVolumes environmentVariables resources",
  "talos.resource.definitions.k8s.SecretsStatusSpec": "ready version",
  "talos.resource.definitions.k8s.SingleManifest": "+object",
  "talos.resource.definitions.k8s.StaticPodServerStatusSpec": "url",
  "talos.resource.definitions.k8s.StaticPodSpec": "+pod",
  "talos.resource.definitions.k8s.StaticPodStatusSpec": "+pod_status",
  "talos.resource.definitions.kubeaccess.ConfigSpec": "enabled allowedAPIRoles allowedKubernetesNamespaces",
  "talos.resource.definitions.kubespan.ConfigSpec":
    "enabled clusterId sharedSecret forceRouting advertiseKubernetesNetworks mtu? endpointFilters? harvestExtraEndpoints extraEndpoints? excludeAdvertisedNetworks?",
  "talos.resource.definitions.kubespan.EndpointSpec": "affiliateID endpoint",
  "talos.resource.definitions.kubespan.IdentitySpec": "address subnet privateKey publicKey",
  "talos.resource.definitions.kubespan.PeerSpecSpec": "address allowedIPs endpoints label",
  "talos.resource.definitions.kubespan.PeerStatusSpec":
    "endpoint label state receiveBytes transmitBytes lastHandshakeTime lastUsedEndpoint lastEndpointChange",
  "talos.resource.definitions.network.AddressSpecSpec":
    "address linkName family scope flags:addressFlags announceWithARP? priority? layer=config_layer",
  "talos.resource.definitions.network.AddressStatusSpec":
    "address local? broadcast? anycast? multicast? linkIndex linkName family scope flags:addressFlags priority",
  "talos.resource.definitions.network.BGPBFDConfigSpec":
    "transmitInterval? receiveInterval? detectMultiplier?",
  "talos.resource.definitions.network.BGPImportRouteSpec": "bgpInstance prefixes",
  "talos.resource.definitions.network.BGPInstanceConfigSpec":
    "localASN routerID? routeSource? advertiseLinks? multipath? maxPaths? neighbors? vrf? vrfTable? importRoutes? installRoutes",
  "talos.resource.definitions.network.BGPNeighborConfigSpec":
    "address? link? peerASN? holdTime? bfd?! localASN? passive?",
  "talos.resource.definitions.network.BGPPeerStatusSpec":
    "peer localASN peerASN state routerID? since? received advertised accepted bfdState? instance",
  "talos.resource.definitions.network.BondMasterSpec":
    "mode xmitHashPolicy=hash_policy lacpRate arpValidate arpAllTargets primaryIndex?! primaryReselect failOverMac adSelect? miimon? updelay? downdelay? arpInterval? resendIgmp? minLinks? lpInterval? packetsPerSlave? numPeerNotif? tlbLogicalLb=tlb_dynamic_lb? allSlavesActive? useCarrier? adActorSysPrio? adUserPortKey? peerNotifyDelay? arpIpTargets? nsIp6Targets? adLacpActive?! missedMax? primary?",
  "talos.resource.definitions.network.BondSlave": "masterName? slaveIndex?",
  "talos.resource.definitions.network.BridgeMasterSpec": "stp? vlan?",
  "talos.resource.definitions.network.BridgeSlave": "masterName?",
  "talos.resource.definitions.network.BridgeVLANSpec": "filteringEnabled",
  "talos.resource.definitions.network.ClientIdentifierSpec": "clientIdentifier duidRawHex?",
  "talos.resource.definitions.network.DHCP4OperatorSpec":
    "routeMetric skipHostnameRequest? clientIdentifier? skipRoutes?",
  "talos.resource.definitions.network.DHCP6OperatorSpec":
    "routeMetric skipHostnameRequest? clientIdentifier?",
  "talos.resource.definitions.network.DNSResolveCacheSpec": "status",
  "talos.resource.definitions.network.EthernetChannelsSpec": "rx?! tx?! other?! combined?!",
  "talos.resource.definitions.network.EthernetChannelsStatus":
    "rx-max=rx_max?! tx-max=tx_max?! other-max=other_max?! combined-max=combined_max?! rx?! tx?! other?! combined?!",
  "talos.resource.definitions.network.EthernetFeatureStatus": "name status",
  "talos.resource.definitions.network.EthernetRingsSpec":
    "rx?! tx?! rx-mini=rx_mini?! rx-jumbo=rx_jumbo?! rx-buf-len=rx_buf_len?! cqe-size=cqe_size?! tx-push=tx_push?! rx-push=rx_push?! tx-push-buf-len=tx_push_buf_len?! tcp-data-split=tcp_data_split?!",
  "talos.resource.definitions.network.EthernetRingsStatus":
    "rx-max=rx_max?! rx-mini-max=rx_mini_max?! rx-jumbo-max=rx_jumbo_max?! tx-max=tx_max?! tx-push-buf-len-max=tx_push_buf_len_max?! rx?! rx-mini=rx_mini?! rx-jumbo=rx_jumbo?! tx?! rx-buf-len=rx_buf_len?! cqe-size=cqe_size?! tx-push=tx_push?! rx-push=rx_push?! tx-push-buf-len=tx_push_buf_len?! tcp-data-split=tcp_data_split?!",
  "talos.resource.definitions.network.EthernetSpecSpec": "rings? features? channels? wakeOnLan?",
  "talos.resource.definitions.network.EthernetStatusSpec":
    "linkState?! speedMbit=speed_megabits? port duplex ourModes? peerModes? rings?! features? channels?! wakeOnLAN?",
  "talos.resource.definitions.network.HTTPProbeSpec": "url timeout",
  "talos.resource.definitions.network.HardwareAddrSpec": "name hardwareAddr:mac",
  "talos.resource.definitions.network.HostDNSConfigSpec":
    "enabled listenAddresses? serviceHostDNSAddress? resolveMemberNames? serviceHostDNSAddressV6?",
  "talos.resource.definitions.network.HostnameSpecSpec": "hostname domainname layer=config_layer",
  "talos.resource.definitions.network.HostnameStatusSpec": "hostname domainname",
  "talos.resource.definitions.network.LinkAliasSpecSpec": "alias",
  "talos.resource.definitions.network.LinkRefreshSpec": "generation",
  "talos.resource.definitions.network.LinkSpecSpec":
    "name logical up mtu kind type hardwareAddr=hardware_address?:mac parentName? +bond_slave? bridgeSlave? vrfSlave? vlan? bondMaster? bridgeMaster? vrfMaster? wireguard? veth? layer=config_layer multicast?!",
  "talos.resource.definitions.network.LinkStatusSpec":
    "alias? altNames? index type linkIndex flags:linkFlags hardwareAddr:mac permanentAddr:mac broadcastAddr:mac mtu queueDisc masterIndex? operationalState kind slaveKind busPath? pciID? driver? driverVersion? firmwareVersion? productID? vendorID? product? vendor? linkState speedMbit=speed_megabits? port duplex vlan? bridgeMaster? bondMaster? vrfMaster? wireguard? veth?",
  "talos.resource.definitions.network.NameServerSpec": "addr protocol tlsServerName",
  "talos.resource.definitions.network.NfTablesAddressMatch": "includeSubnets? excludeSubnets? invert?",
  "talos.resource.definitions.network.NfTablesChainSpec": "type hook priority policy rules",
  "talos.resource.definitions.network.NfTablesClampMSS": "mtu",
  "talos.resource.definitions.network.NfTablesConntrackStateMatch": "states",
  "talos.resource.definitions.network.NfTablesICMPTypeMatch": "types",
  "talos.resource.definitions.network.NfTablesIfNameMatch": "interfaceName=interface_names operator",
  "talos.resource.definitions.network.NfTablesLayer4Match":
    "protocol matchSourcePort?! matchDestinationPort?! matchICMPType?!",
  "talos.resource.definitions.network.NfTablesLimitMatch": "packetRatePerSecond",
  "talos.resource.definitions.network.NfTablesMark": "mask? xor? value?",
  "talos.resource.definitions.network.NfTablesPortMatch": "ranges?",
  "talos.resource.definitions.network.NfTablesRule":
    "matchIIfName?! matchOIfName?! matchMark?! matchConntrackState?! matchSourceAddress?! matchDestinationAddress?! matchLayer4?! matchLimit?! clampMSS?! setMark?! anonymousCounter=anon_counter? verdict?!",
  "talos.resource.definitions.network.NodeAddressFilterSpec": "includeSubnets excludeSubnets",
  "talos.resource.definitions.network.NodeAddressSortAlgorithmSpec": "algorithm",
  "talos.resource.definitions.network.NodeAddressSpec": "addresses sortAlgorithm",
  "talos.resource.definitions.network.OperatorSpecSpec":
    "operator linkName requireUp dhcp4? dhcp6? vip? layer=config_layer",
  "talos.resource.definitions.network.PlatformConfigSpec":
    "addresses links routes hostnames resolvers timeServers operators externalIPs probes? metadata?!",
  "talos.resource.definitions.network.PortRange": "lo hi",
  "talos.resource.definitions.network.ProbeSpecSpec":
    "interval failureThreshold tcp? layer=config_layer http?",
  "talos.resource.definitions.network.ProbeStatusSpec": "success lastError",
  "talos.resource.definitions.network.ResolverSpecSpec":
    "dnsServers nameServers? layer=config_layer searchDomains? searchDomainsOverridden?",
  "talos.resource.definitions.network.ResolverStatusSpec": "dnsServers nameServers? searchDomains",
  "talos.resource.definitions.network.RouteNextHop": "gateway outLinkName? weight?",
  "talos.resource.definitions.network.RouteSpecSpec":
    "family dst=destination src=source gateway outLinkName? table priority? scope type flags:routeFlags protocol layer=config_layer mtu? nextHops?",
  "talos.resource.definitions.network.RouteStatusSpec":
    "family dst=destination src=source gateway outLinkIndex? outLinkName? table priority scope type flags:routeFlags protocol mtu? nextHops?",
  "talos.resource.definitions.network.RoutingRuleSpecSpec":
    "family src dst table priority action iifName? oifName? fwMark? fwMask? layer=config_layer",
  "talos.resource.definitions.network.RoutingRuleStatusSpec":
    "family src dst table priority action iifName? oifName? fwMark? fwMask?",
  "talos.resource.definitions.network.STPSpec": "enabled",
  "talos.resource.definitions.network.StaticHostSpec": "addresses",
  "talos.resource.definitions.network.StatusSpec":
    "addressReady connectivityReady hostnameReady etcFilesReady",
  "talos.resource.definitions.network.TCPProbeSpec": "endpoint timeout",
  "talos.resource.definitions.network.TimeServerSpecSpec":
    "timeServers=ntp_servers useNTS? layer=config_layer",
  "talos.resource.definitions.network.TimeServerStatusSpec": "timeServers=ntp_servers useNTS",
  "talos.resource.definitions.network.VIPEquinixMetalSpec": "projectID deviceID apiToken",
  "talos.resource.definitions.network.VIPHCloudSpec": "deviceID networkID apiToken",
  "talos.resource.definitions.network.VIPOperatorSpec": "ip gratuitousARP equinixMetal? hcloud?",
  "talos.resource.definitions.network.VLANSpec": "vlanID=vid vlanProtocol=protocol",
  "talos.resource.definitions.network.VRFMasterSpec": "table",
  "talos.resource.definitions.network.VRFSlave": "masterName?",
  "talos.resource.definitions.network.VethSpec": "peerName?",
  "talos.resource.definitions.network.WireguardPeer":
    "publicKey presharedKey endpoint persistentKeepaliveInterval allowedIPs",
  "talos.resource.definitions.network.WireguardSpec": "privateKey? publicKey? listenPort firewallMark peers",
  "talos.resource.definitions.perf.CPUSpec":
    "cpu cpuTotal irqTotal contextSwitches processCreated processRunning processBlocked softIrqTotal",
  "talos.resource.definitions.perf.CPUStat": "user nice system idle iowait irq softIrq steal guest guestNice",
  "talos.resource.definitions.perf.MemorySpec":
    "total=mem_total used=mem_used available=mem_available buffers cached swapCached active inactive activeAnon inactiveAnon activeFile inactiveFile unevictable mlocked swapTotal swapFree dirty writeback anonPages mapped shmem slab sreclaimable sunreclaim kernelStack pageTables nfsunstable bounce writeBacktmp commitLimit commitTedas vmallocTotal vmallocUsed vmallocChunk hardwareCorrupted anonHugePages shmemHugePages shmemPmdMapped cmaTotal cmaFree hugePagesTotal hugePagesFree hugePagesRsvd hugePagesSurp hugepagesize directMap4k directMap2m directMap1g",
  "talos.resource.definitions.runtime.APIServiceConfigSpec":
    "listenAddress nodeRoutingDisabled readonlyRoleMode skipVerifyingClientCert",
  "talos.resource.definitions.runtime.BootIDSpec": "bootID",
  "talos.resource.definitions.runtime.BootedEntrySpec": "bootedEntry?",
  "talos.resource.definitions.runtime.DevicesStatusSpec": "ready",
  "talos.resource.definitions.runtime.DiagnosticSpec": "message details",
  "talos.resource.definitions.runtime.EnvironmentSpec": "variables",
  "talos.resource.definitions.runtime.EventSinkConfigSpec": "endpoint",
  "talos.resource.definitions.runtime.ExtensionServiceConfigFile": "content mountPath",
  "talos.resource.definitions.runtime.ExtensionServiceConfigSpec": "files? environment?",
  "talos.resource.definitions.runtime.ExtensionServiceConfigStatusSpec": "specVersion",
  "talos.resource.definitions.runtime.ImageFactorySchematicSpec": "schematicId flavor apiUrl",
  "talos.resource.definitions.runtime.KernelCmdlineSpec": "cmdline",
  "talos.resource.definitions.runtime.KernelModuleSpecSpec": "string=name parameters",
  "talos.resource.definitions.runtime.KernelModuleStatusSpec":
    "type size referenceCount dependencies? state address",
  "talos.resource.definitions.runtime.KernelParamSpecSpec": "value ignoreErrors",
  "talos.resource.definitions.runtime.KernelParamStatusSpec": "current default unsupported",
  "talos.resource.definitions.runtime.KmsgLogConfigSpec": "destinations",
  "talos.resource.definitions.runtime.LoadedKernelModuleSpec":
    "size referenceCount dependencies? state address",
  "talos.resource.definitions.runtime.MachineStatusSpec": "stage status",
  "talos.resource.definitions.runtime.MachineStatusStatus": "ready unmetConditions",
  "talos.resource.definitions.runtime.MaintenanceServiceConfigSpec": "listenAddress reachableAddresses",
  "talos.resource.definitions.runtime.MetaKeySpec": "value",
  "talos.resource.definitions.runtime.MetaLoadedSpec": "done",
  "talos.resource.definitions.runtime.MountStatusSpec":
    "source target filesystemType options encrypted encryptionProviders?",
  "talos.resource.definitions.runtime.OOMActionSpec": "triggerContext? score? processes?",
  "talos.resource.definitions.runtime.PlatformMetadataSpec":
    "platform? hostname? region? zone? instanceType? instanceId? providerId? spot? internalDNS? externalDNS? tags?",
  "talos.resource.definitions.runtime.SBOMItemSpec": "name version license? cpes? purls? extension?",
  "talos.resource.definitions.runtime.SecurityStateSpec":
    "secureBoot ukiSigningKeyFingerprint? pcrSigningKeyFingerprint? selinuxState? fipsState? bootedWithUKI? moduleSignatureEnforced?",
  "talos.resource.definitions.runtime.ServicePIDSpec": "pid mountNamespace",
  "talos.resource.definitions.runtime.UnattendedInstallStatusSpec": "image? phase? error?",
  "talos.resource.definitions.runtime.UniqueMachineTokenSpec": "token",
  "talos.resource.definitions.runtime.UnmetCondition": "name reason",
  "talos.resource.definitions.runtime.VersionSpec": "name version",
  "talos.resource.definitions.runtime.WatchdogTimerConfigSpec": "device timeout",
  "talos.resource.definitions.runtime.WatchdogTimerStatusSpec": "device timeout feedInterval",
  "talos.resource.definitions.secrets.APICertsSpec": "acceptedCAs client server skipVerifyingClientCert",
  "talos.resource.definitions.secrets.CertSANSpec": "ips dnsNames fqdn",
  "talos.resource.definitions.secrets.EncryptionSaltSpec": "diskSalt",
  "talos.resource.definitions.secrets.EtcdCertsSpec": "etcd etcdPeer etcdAdmin etcdAPIServer",
  "talos.resource.definitions.secrets.EtcdRootSpec": "etcdCA",
  "talos.resource.definitions.secrets.KubeletSpec":
    "endpoint endpointTLSServerName? acceptedCAs bootstrapTokenID bootstrapTokenSecret",
  "talos.resource.definitions.secrets.KubernetesCertsSpec":
    "schedulerKubeconfig controllerManagerKubeconfig localhostAdminKubeconfig adminKubeconfig",
  "talos.resource.definitions.secrets.KubernetesDynamicCertsSpec":
    "apiServer apiServerKubeletClient frontProxy",
  "talos.resource.definitions.secrets.KubernetesRootSpec":
    "name endpoint local_endpoint certSANs apiServerIPs dnsDomain issuingCA acceptedCAs aggregatorCA acceptedAggregatorCAs serviceAccount serviceAccountAcceptedKeys issuerURL acceptedIssuers apiAudiences aesCBCEncryptionSecret bootstrapTokenID bootstrapTokenSecret secretboxEncryptionSecret etcdEncryptionConfig",
  "talos.resource.definitions.secrets.MaintenanceRootSpec": "ca",
  "talos.resource.definitions.secrets.OSRootSpec": "issuingCA acceptedCAs certSANIPs certSANDNSNames token",
  "talos.resource.definitions.secrets.TrustdCertsSpec": "acceptedCAs server",
  "talos.resource.definitions.security.ImageKeylessVerifierSpec": "issuer subject? subjectRegex?",
  "talos.resource.definitions.security.ImagePublicKeyVerifierSpec": "certificate",
  "talos.resource.definitions.security.ImageVerificationRuleSpec":
    "imagePattern? skip deny keylessVerifier?! publicKeyVerifier?!",
  "talos.resource.definitions.security.TUFTrustedRootSpec": "lastRefreshTime? jsonData?",
  "talos.resource.definitions.siderolink.ConfigSpec": "apiEndpoint host joinToken insecure tunnel",
  "talos.resource.definitions.siderolink.StatusSpec": "host connected linkName grpcTunnel",
  "talos.resource.definitions.siderolink.TunnelSpec": "apiEndpoint linkName mtu nodeAddress",
  "talos.resource.definitions.storage.LVMLogicalVolumeSpecSpec":
    "vgName name type sizeBytes sizePercentVG mirrors stripes",
  "talos.resource.definitions.storage.LVMLogicalVolumeStatusSpec":
    "path dmPath name fullName vgName uuid layout role permissions allocationPolicy allocationLocked fixedMinor active activeLocally activeRemotely activeExclusively suspended deviceOpen skipActivation merging converting size metadataSize readAhead kernelMajor kernelMinor origin originSize poolLV dataLV metadataLV movePV convertLV whenFull tags prettySize?",
  "talos.resource.definitions.storage.LVMPhysicalVolumeSpecSpec": "device vgName",
  "talos.resource.definitions.storage.LVMPhysicalVolumeStatusSpec":
    "device vgName uuid format allocatable exported missing inUse size deviceSize free used peCount peAllocCount major minor tags prettySize? prettyDeviceSize? prettyFree?",
  "talos.resource.definitions.storage.LVMRefreshRequestSpec": "request",
  "talos.resource.definitions.storage.LVMValidationErrorSpec": "vgName message",
  "talos.resource.definitions.storage.LVMVolumeGroupSpecSpec": "name physicalVolumes",
  "talos.resource.definitions.storage.LVMVolumeGroupStatusSpec":
    "name uuid format permissions extendable exported partial allocationPolicy clustered shared size free extentSize extentCount freeExtentCount maxLV maxPV lvCount pvCount snapCount missingPVCount seqNo lockType systemID tags prettySize? prettyFree?",
  "talos.resource.definitions.storage.MDArraySpecSpec": "level volumeSelector metadata",
  "talos.resource.definitions.storage.MDArrayStatusSpec":
    "level device members error? status raidDevices uuid? name? metadata? arrayState? syncAction?",
  "talos.resource.definitions.storage.MDRefreshRequestSpec": "request",
  "talos.resource.definitions.time.AdjtimeStatusSpec":
    "offset frequencyAdjustmentRatio maxError estError status constant syncStatus state",
  "talos.resource.definitions.time.NTPStatusSpec": "spikeDetected consecutiveSpikes",
  "talos.resource.definitions.time.StatusSpec": "synced epoch syncDisabled",
  "talos.resource.definitions.v1alpha1.ServiceSpec": "running healthy unknown",
};
