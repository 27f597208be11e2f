// Talos's controllers and the resources each declares as its inputs and outputs, read from
// siderolabs/talos v1.14 (internal/app/machined/pkg/controllers: each controller's Inputs() and
// Outputs(); generic transform controllers take their input strongly with input finalizers,
// weakly otherwise, plus their output as a destroy-ready input; the network merge controllers
// are named after their spec type). Inputs whose ID is computed at run time (a filtered node
// address, a META key) are left out.
//
// One controller per entry, its edges separated by spaces:
//   <namespace/type[/id]:k  an input, k = w (weak), s (strong), d (destroy-ready)
//   >type:k                 an output, k = x (exclusive), h (shared)
export const TALOS_CONTROLLER_EDGES: Readonly<Record<string, string>> = {
  "AddressMergeControllers.net.talos.dev":
    "<network-config/AddressSpecs.net.talos.dev:w <network/AddressSpecs.net.talos.dev:d >AddressSpecs.net.talos.dev:h",
  "HostnameMergeControllers.net.talos.dev":
    "<network-config/HostnameSpecs.net.talos.dev:w <network/HostnameSpecs.net.talos.dev:d >HostnameSpecs.net.talos.dev:h",
  "LinkMergeControllers.net.talos.dev":
    "<network-config/LinkSpecs.net.talos.dev:w <network/LinkSpecs.net.talos.dev:d >LinkSpecs.net.talos.dev:h",
  "OperatorMergeControllers.net.talos.dev":
    "<network-config/OperatorSpecs.net.talos.dev:w <network/OperatorSpecs.net.talos.dev:d >OperatorSpecs.net.talos.dev:h",
  "ProbeMergeControllers.net.talos.dev":
    "<network-config/ProbeSpecs.net.talos.dev:w <network/ProbeSpecs.net.talos.dev:d >ProbeSpecs.net.talos.dev:h",
  "ResolverMergeControllers.net.talos.dev":
    "<network-config/ResolverSpecs.net.talos.dev:w <network/ResolverSpecs.net.talos.dev:d >ResolverSpecs.net.talos.dev:h",
  "RouteMergeControllers.net.talos.dev":
    "<network-config/RouteSpecs.net.talos.dev:w <network/RouteSpecs.net.talos.dev:d >RouteSpecs.net.talos.dev:h",
  "RoutingRuleMergeControllers.net.talos.dev":
    "<network-config/RoutingRuleSpecs.net.talos.dev:w <network/RoutingRuleSpecs.net.talos.dev:d >RoutingRuleSpecs.net.talos.dev:h",
  "TimeServerMergeControllers.net.talos.dev":
    "<network-config/TimeServerSpecs.net.talos.dev:w <network/TimeServerSpecs.net.talos.dev:d >TimeServerSpecs.net.talos.dev:h",
  "block.DevicesController": ">BlockDevices.block.talos.dev:x",
  "block.DiscoveredVolumesStatusController":
    "<runtime/DevicesStatuses.runtime.talos.dev/devices:w <runtime/DiscoveryRefreshStatuses.block.talos.dev/refresh:w >DiscoveredVolumesStatuses.block.talos.dev:x >DiscoveryRefreshRequests.block.talos.dev:x",
  "block.DiscoveryController":
    "<runtime/BlockDevices.block.talos.dev:w <runtime/DiscoveryRefreshRequests.block.talos.dev:w >DiscoveredVolumes.block.talos.dev:x >DiscoveryRefreshStatuses.block.talos.dev:x",
  "block.DisksController":
    "<runtime/BlockDevices.block.talos.dev:w <runtime/BlockSymlinks.block.talos.dev:w >Disks.block.talos.dev:x",
  "block.FSScrubController":
    "<runtime/FSScrubSchedules.block.talos.dev:w <runtime/MountStatuses.block.talos.dev:s >FSScrubStatuses.block.talos.dev:x",
  "block.FSScrubScheduleController":
    "<runtime/VolumeStatuses.block.talos.dev:w <cluster/Identities.cluster.talos.dev/local:w >FSScrubSchedules.block.talos.dev:x",
  "block.MountController":
    "<runtime/MountRequests.block.talos.dev:s <runtime/VolumeStatuses.block.talos.dev:s <runtime/MountStatuses.block.talos.dev:s >MountStatuses.block.talos.dev:x",
  "block.MountRequestController":
    "<runtime/VolumeMountRequests.block.talos.dev:s <runtime/VolumeStatuses.block.talos.dev:w <runtime/MountRequests.block.talos.dev:d >MountRequests.block.talos.dev:x",
  "block.MountStatusController":
    "<runtime/MountStatuses.block.talos.dev:s <runtime/VolumeMountStatuses.block.talos.dev:d >VolumeMountStatuses.block.talos.dev:x",
  "block.SwapStatusController": "<runtime/MountStatuses.block.talos.dev:w >SwapStatuses.block.talos.dev:x",
  "block.SymlinksController": "<runtime/Services.v1alpha1.talos.dev/udevd:w >BlockSymlinks.block.talos.dev:x",
  "block.SystemDiskController": "<runtime/DiscoveredVolumes.block.talos.dev:w >SystemDisks.block.talos.dev:x",
  "block.UserDiskConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/VolumeMountRequests.block.talos.dev:d <runtime/VolumeMountStatuses.block.talos.dev:s >VolumeConfigs.block.talos.dev:h >VolumeMountRequests.block.talos.dev:h >UserDiskConfigStatuses.block.talos.dev:x",
  "block.VolumeConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/VolumeMountRequests.block.talos.dev:d <runtime/VolumeConfigs.block.talos.dev:d >VolumeConfigs.block.talos.dev:h >VolumeMountRequests.block.talos.dev:h",
  "block.VolumeManagerController":
    "<runtime/VolumeConfigs.block.talos.dev:s <runtime/VolumeStatuses.block.talos.dev:s <runtime/DiscoveredVolumes.block.talos.dev:w <runtime/Disks.block.talos.dev:w <runtime/SystemDisks.block.talos.dev/system-disk:w <runtime/DiscoveredVolumesStatuses.block.talos.dev/discovered-volumes-status:w <hardware/SystemInformations.hardware.talos.dev/systeminformation:w <runtime/VolumeLifecycles.block.talos.dev/volumes:s <hardware/PCRStatuses.hardware.talos.dev:s <secrets/EncryptionSalts.secrets.talos.dev/salt:w >VolumeStatuses.block.talos.dev:x",
  "block.VolumeTrimController":
    "<runtime/VolumeTrimSchedules.block.talos.dev:w <runtime/MountStatuses.block.talos.dev:s",
  "block.VolumeTrimScheduleController":
    "<runtime/VolumeStatuses.block.talos.dev:w <cluster/Identities.cluster.talos.dev/local:w >VolumeTrimSchedules.block.talos.dev:x",
  "block.ZswapConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >KernelParamSpecs.runtime.talos.dev:h",
  "block.ZswapStatusController":
    "<runtime/KernelParamStatuses.runtime.talos.dev:w >ZswapStatuses.block.talos.dev:x",
  "cluster.AffiliateMergeController":
    "<cluster-raw/Affiliates.cluster.talos.dev:w >Affiliates.cluster.talos.dev:h",
  "cluster.ConfigController":
    "<config/MachineConfigs.config.talos.dev:w <config/DiscoveryConfigs.cluster.talos.dev:d >DiscoveryConfigs.cluster.talos.dev:x",
  "cluster.DiscoveryServiceController":
    "<config/DiscoveryConfigs.cluster.talos.dev/cluster:w <cluster/Identities.cluster.talos.dev/local:w <kubespan/KubeSpanEndpoints.kubespan.talos.dev:w <runtime/MachineResetSignals.runtime.talos.dev/machine:w >Affiliates.cluster.talos.dev:h >AddressStatuses.net.talos.dev:h",
  "cluster.EndpointController": "<cluster/Members.cluster.talos.dev:w >Endpoints.kubernetes.talos.dev:h",
  "cluster.InfoController":
    "<config/MachineConfigs.config.talos.dev:w <cluster/Infos.cluster.talos.dev:d >Infos.cluster.talos.dev:x",
  "cluster.KubernetesPullController":
    "<config/DiscoveryConfigs.cluster.talos.dev/cluster:w <k8s/Nodenames.kubernetes.talos.dev/nodename:w >Affiliates.cluster.talos.dev:h",
  "cluster.KubernetesPushController":
    "<config/DiscoveryConfigs.cluster.talos.dev/cluster:w <cluster/Identities.cluster.talos.dev/local:w",
  "cluster.LocalAffiliateController":
    "<config/DiscoveryConfigs.cluster.talos.dev/cluster:w <cluster/Identities.cluster.talos.dev/local:w <network/HostnameStatuses.net.talos.dev/hostname:w <k8s/Nodenames.kubernetes.talos.dev/nodename:w <network/NodeAddresses.net.talos.dev:w <k8s/NodeStatuses.kubernetes.talos.dev:w <kubespan/KubeSpanIdentities.kubespan.talos.dev/local:w <config/KubeSpanConfigs.kubespan.talos.dev/kubespan:w <config/MachineTypes.config.talos.dev/machine-type:w <cluster/AddressStatuses.net.talos.dev:w >Affiliates.cluster.talos.dev:h",
  "cluster.MemberController": "<cluster/Affiliates.cluster.talos.dev:w >Members.cluster.talos.dev:x",
  "cluster.NodeIdentityController":
    "<runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >Identities.cluster.talos.dev:h >EtcFileSpecs.files.talos.dev:h >VolumeMountRequests.block.talos.dev:h",
  "config.AcquireController":
    "<runtime/AcquireConfigSpecs.v1alpha1.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/MaintenanceServiceRequests.runtime.talos.dev:d <runtime/VolumeStatuses.block.talos.dev/STATE:w <runtime/VolumeMountRequests.block.talos.dev:d <runtime/VolumeMountStatuses.block.talos.dev:s >AcquireConfigStatuses.v1alpha1.talos.dev:x >MaintenanceServiceRequests.runtime.talos.dev:x >VolumeMountRequests.block.talos.dev:h",
  "config.MachineTypeController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >MachineTypes.config.talos.dev:x",
  "config.PersistenceController":
    "<config/MachineConfigs.config.talos.dev/persistent:w <runtime/VolumeStatuses.block.talos.dev/STATE:w <runtime/VolumeMountRequests.block.talos.dev:d <runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeLifecycles.block.talos.dev/volumes:s >VolumeMountRequests.block.talos.dev:h",
  "containers.ConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >ContainerSpecs.containers.talos.dev:x",
  "containers.ImageController":
    "<containers/ContainerSpecs.containers.talos.dev:w <runtime/Services.v1alpha1.talos.dev/cri:w <cri/RegistryConfigs.cri.talos.dev:w <cri/ImageCacheConfigs.cri.talos.dev:w >ContainerImageStatuses.containers.talos.dev:x",
  "containers.InstanceController":
    "<containers/ContainerSpecs.containers.talos.dev:w <containers/ContainerImageStatuses.containers.talos.dev:w <containers/ContainerInstanceSpecs.containers.talos.dev:d <network/NetworkStatuses.net.talos.dev/status:w <runtime/TimeStatuses.v1alpha1.talos.dev/node:w >ContainerInstanceSpecs.containers.talos.dev:x",
  "cri.CustomizationConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >CustomizationConfigs.cri.talos.dev:x",
  "cri.ImageCacheConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/VolumeStatuses.block.talos.dev:w <runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >ImageCacheConfigs.cri.talos.dev:x >VolumeConfigs.block.talos.dev:h >VolumeMountRequests.block.talos.dev:h",
  "cri.RegistriesConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <cri/ImageCacheConfigs.cri.talos.dev:w >RegistryConfigs.cri.talos.dev:x",
  "cri.RuntimeSpecConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >BaseRuntimeSpecConfigs.cri.talos.dev:x",
  "cri.SeccompProfileController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >SeccompProfiles.cri.talos.dev:x",
  "cri.SeccompProfileFileController": "",
  "cri.ServiceController": "<files/EtcFileStatuses.files.talos.dev:w",
  "etcd.AdvertisedPeerController":
    "<etcd/EtcdSpecs.etcd.talos.dev/etcd:w <etcd/PKIStatuses.etcd.talos.dev/etcd:w <runtime/Services.v1alpha1.talos.dev/etcd:w",
  "etcd.ConfigController":
    "<config/MachineConfigs.config.talos.dev:w <etcd/EtcdConfigs.etcd.talos.dev:d >EtcdConfigs.etcd.talos.dev:x",
  "etcd.MemberController": "<runtime/Services.v1alpha1.talos.dev/etcd:s >EtcdMembers.etcd.talos.dev:x",
  "etcd.PKIController":
    "<secrets/EtcdRootSecrets.secrets.talos.dev/etcd:w <secrets/EtcdSecrets.secrets.talos.dev/etcd:w >PKIStatuses.etcd.talos.dev:x",
  "etcd.SpecController":
    "<etcd/EtcdConfigs.etcd.talos.dev/etcd:w <network/HostnameStatuses.net.talos.dev/hostname:w <network/NodeAddresses.net.talos.dev:w >EtcdSpecs.etcd.talos.dev:x",
  "files.CRIBaseRuntimeSpecController":
    "<cri/BaseRuntimeSpecConfigs.cri.talos.dev:w >EtcFileSpecs.files.talos.dev:h",
  "files.CRIConfigController":
    "<cri/RegistryConfigs.cri.talos.dev/registries:w <cri/CustomizationConfigs.cri.talos.dev:w >EtcFileSpecs.files.talos.dev:h",
  "files.EtcFileConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <files/EtcFileSpecs.files.talos.dev:d >EtcFileSpecs.files.talos.dev:h",
  "files.EtcFileController": "<files/EtcFileSpecs.files.talos.dev:s >EtcFileStatuses.files.talos.dev:x",
  "files.IQNController": "<cluster/Identities.cluster.talos.dev/local:w >EtcFileSpecs.files.talos.dev:h",
  "files.NQNController": "<cluster/Identities.cluster.talos.dev/local:w >EtcFileSpecs.files.talos.dev:h",
  "files.UdevRulesController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/Services.v1alpha1.talos.dev/udevd:w",
  "hardware.CPUInfoController": ">CPUCores.hardware.talos.dev:x",
  "hardware.PCIDevicesController":
    "<runtime/Services.v1alpha1.talos.dev/udevd:w >PCIDevices.hardware.talos.dev:x",
  "hardware.PCIDriverRebindConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >PCIDriverRebindConfigs.runtime.talos.dev:x",
  "hardware.PCIDriverRebindController": ">PCIDriverRebindStatuses.runtime.talos.dev:x",
  "hardware.PCRStatusController":
    "<runtime/VolumeStatuses.block.talos.dev:w <runtime/VolumeConfigs.block.talos.dev:w <hardware/PCRStatuses.hardware.talos.dev:d >PCRStatuses.hardware.talos.dev:x",
  "hardware.SystemInfoController":
    "<runtime/MetaKeys.runtime.talos.dev:w <runtime/MetaLoads.runtime.talos.dev/meta-loaded:w >Processors.hardware.talos.dev:x >MemoryModules.hardware.talos.dev:x >SystemInformations.hardware.talos.dev:x",
  "k8s.AddressFilterController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <k8s/Nodenames.kubernetes.talos.dev/nodename:w <k8s/NodeStatuses.kubernetes.talos.dev:w >NodeAddressFilters.net.talos.dev:x",
  "k8s.ControlPlaneAPIServerController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/APIServerConfigs.kubernetes.talos.dev:d >APIServerConfigs.kubernetes.talos.dev:h",
  "k8s.ControlPlaneAPIServerFinalController":
    "<controlplane/APIServerConfigs.kubernetes.talos.dev:w >APIServerConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneAdmissionControlController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/AdmissionControlConfigs.kubernetes.talos.dev:d >AdmissionControlConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneAuditPolicyController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/AuditPolicyConfigs.kubernetes.talos.dev:d >AuditPolicyConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneAuthenticationController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/AuthenticationConfigs.kubernetes.talos.dev:d >AuthenticationConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneAuthorizationController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/AuthorizationConfigs.kubernetes.talos.dev:d >AuthorizationConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneBootstrapManifestsController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/BootstrapManifestsConfigs.kubernetes.talos.dev:d <network/HostDNSConfigs.net.talos.dev/config:w >BootstrapManifestsConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneControllerManagerController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/ControllerManagerConfigs.kubernetes.talos.dev:d >ControllerManagerConfigs.kubernetes.talos.dev:h",
  "k8s.ControlPlaneControllerManagerFinalController":
    "<controlplane/ControllerManagerConfigs.kubernetes.talos.dev:w >ControllerManagerConfigs.kubernetes.talos.dev:h",
  "k8s.ControlPlaneExtraManifestsController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/ExtraManifestsConfigs.kubernetes.talos.dev:d >ExtraManifestsConfigs.kubernetes.talos.dev:x",
  "k8s.ControlPlaneSchedulerController":
    "<config/MachineConfigs.config.talos.dev:w <controlplane/SchedulerConfigs.kubernetes.talos.dev:d >SchedulerConfigs.kubernetes.talos.dev:h",
  "k8s.ControlPlaneSchedulerFinalController":
    "<controlplane/SchedulerConfigs.kubernetes.talos.dev:w >SchedulerConfigs.kubernetes.talos.dev:h",
  "k8s.ControlPlaneStaticPodController":
    "<controlplane/SecretStatuses.kubernetes.talos.dev/static-pods:w <controlplane/ConfigStatuses.kubernetes.talos.dev/static-pods:w <runtime/Services.v1alpha1.talos.dev/etcd:w >StaticPods.kubernetes.talos.dev:h",
  "k8s.EndpointController": ">Endpoints.kubernetes.talos.dev:h",
  "k8s.EtcdEncryptionConfigController":
    "<secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w >EtcdEncryptionConfigs.kubernetes.talos.dev:x",
  "k8s.ExtraManifestController":
    "<controlplane/ExtraManifestsConfigs.kubernetes.talos.dev:w <network/NetworkStatuses.net.talos.dev/status:w >Manifests.kubernetes.talos.dev:h",
  "k8s.KubePrismConfigController":
    "<config/MachineConfigs.config.talos.dev:w <k8s/KubePrismConfigs.kubernetes.talos.dev:d >KubePrismConfigs.kubernetes.talos.dev:x",
  "k8s.KubePrismController":
    "<k8s/KubePrismConfigs.kubernetes.talos.dev/k8s-loadbalancer-config:w >KubePrismStatuses.kubernetes.talos.dev:x",
  "k8s.KubePrismEndpointsController":
    "<config/MachineConfigs.config.talos.dev:w <k8s/KubePrismEndpoints.kubernetes.talos.dev:d >KubePrismEndpoints.kubernetes.talos.dev:x",
  "k8s.KubeletConfigController":
    "<config/MachineConfigs.config.talos.dev:w <k8s/KubeletConfigs.kubernetes.talos.dev:d <k8s/StaticPodServerStatuses.kubernetes.talos.dev/static-pod-server-status:w >KubeletConfigs.kubernetes.talos.dev:x",
  "k8s.KubeletKubeconfigController": ">KubeletKubeconfigs.kubernetes.talos.dev:x",
  "k8s.KubeletServiceController": "",
  "k8s.KubeletSpecController":
    "<k8s/KubeletConfigs.kubernetes.talos.dev/kubelet:w <k8s/Nodenames.kubernetes.talos.dev/nodename:w <k8s/NodeIPs.kubernetes.talos.dev/kubelet:w <config/MachineTypes.config.talos.dev/machine-type:w >KubeletSpecs.kubernetes.talos.dev:x",
  "k8s.KubeletStaticPodController":
    "<k8s/Nodenames.kubernetes.talos.dev/nodename:w <runtime/Services.v1alpha1.talos.dev/kubelet:w <secrets/KubernetesDynamicCerts.secrets.talos.dev/k8s-dynamic-certs:w <secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w >StaticPodStatuses.kubernetes.talos.dev:x",
  "k8s.KubeletStatusController":
    "<k8s/KubeletSpecs.kubernetes.talos.dev:w <k8s/KubeletStatuses.kubernetes.talos.dev:d >KubeletStatuses.kubernetes.talos.dev:x",
  "k8s.ManifestApplyController":
    "<secrets/KubernetesSecrets.secrets.talos.dev/k8s-certs:w <controlplane/Manifests.kubernetes.talos.dev:w <runtime/Services.v1alpha1.talos.dev/etcd:w >ManifestStatuses.kubernetes.talos.dev:x",
  "k8s.ManifestController":
    "<controlplane/BootstrapManifestsConfigs.kubernetes.talos.dev:w <secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w >Manifests.kubernetes.talos.dev:h",
  "k8s.NodeAnnotationSpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/ExtensionStatuses.runtime.talos.dev:w >NodeAnnotationSpecs.k8s.talos.dev:x",
  "k8s.NodeApplyController":
    "<k8s/NodeAnnotationSpecs.k8s.talos.dev:w <k8s/NodeLabelSpecs.k8s.talos.dev:w <k8s/NodeTaintSpecs.k8s.talos.dev:w <k8s/NodeCordonedSpecs.k8s.talos.dev:w <k8s/NodeStatuses.kubernetes.talos.dev:w <secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w <k8s/Nodenames.kubernetes.talos.dev/nodename:w <config/MachineTypes.config.talos.dev/machine-type:w",
  "k8s.NodeCordonedSpecController":
    "<runtime/MachineStatuses.runtime.talos.dev/machine:w >NodeCordonedSpecs.k8s.talos.dev:x",
  "k8s.NodeIPConfigController":
    "<config/MachineConfigs.config.talos.dev:w <k8s/NodeIPConfigs.kubernetes.talos.dev:d >NodeIPConfigs.kubernetes.talos.dev:x",
  "k8s.NodeIPController": "<k8s/NodeIPConfigs.kubernetes.talos.dev/kubelet:w >NodeIPs.kubernetes.talos.dev:x",
  "k8s.NodeLabelSpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/ExtensionStatuses.runtime.talos.dev:w >NodeLabelSpecs.k8s.talos.dev:x",
  "k8s.NodeStatusController":
    "<k8s/Nodenames.kubernetes.talos.dev/nodename:w <k8s/KubeletKubeconfigs.kubernetes.talos.dev/kubelet:w >NodeStatuses.kubernetes.talos.dev:x",
  "k8s.NodeTaintSpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >NodeTaintSpecs.k8s.talos.dev:x",
  "k8s.NodenameController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/HostnameStatuses.net.talos.dev/hostname:w >Nodenames.kubernetes.talos.dev:x",
  "k8s.RenderConfigsStaticPodController":
    "<controlplane/AdmissionControlConfigs.kubernetes.talos.dev:w <controlplane/AuditPolicyConfigs.kubernetes.talos.dev:w <controlplane/AuthorizationConfigs.kubernetes.talos.dev:w <controlplane/AuthenticationConfigs.kubernetes.talos.dev:w >ConfigStatuses.kubernetes.talos.dev:x",
  "k8s.RenderSecretsStaticPodController":
    "<secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w <secrets/EtcdRootSecrets.secrets.talos.dev/etcd:w <secrets/KubernetesSecrets.secrets.talos.dev/k8s-certs:w <secrets/KubernetesDynamicCerts.secrets.talos.dev/k8s-dynamic-certs:w <secrets/EtcdSecrets.secrets.talos.dev/etcd:w <k8s/EtcdEncryptionConfigs.kubernetes.talos.dev/k8s:w >SecretStatuses.kubernetes.talos.dev:x",
  "k8s.StaticEndpointController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >Endpoints.kubernetes.talos.dev:h",
  "k8s.StaticPodConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >StaticPods.kubernetes.talos.dev:h",
  "k8s.StaticPodServerController":
    "<k8s/StaticPods.kubernetes.talos.dev:w >StaticPodServerStatuses.kubernetes.talos.dev:x",
  "kubeaccess.CRDController":
    "<config/KubernetesAccessConfigs.cluster.talos.dev/config:w <secrets/KubernetesSecrets.secrets.talos.dev/k8s-certs:w <secrets/OSRootSecrets.secrets.talos.dev/os:w",
  "kubeaccess.ConfigController":
    "<config/MachineConfigs.config.talos.dev:w <config/KubernetesAccessConfigs.cluster.talos.dev:d >KubernetesAccessConfigs.cluster.talos.dev:x",
  "kubeaccess.EndpointController":
    "<config/KubernetesAccessConfigs.cluster.talos.dev/config:w <secrets/KubernetesSecrets.secrets.talos.dev/k8s-certs:w <controlplane/Endpoints.kubernetes.talos.dev:w",
  "kubespan.ConfigController":
    "<config/MachineConfigs.config.talos.dev:w <config/KubeSpanConfigs.kubespan.talos.dev:d >KubeSpanConfigs.kubespan.talos.dev:x",
  "kubespan.EndpointController":
    "<config/KubeSpanConfigs.kubespan.talos.dev/kubespan:w <cluster/Affiliates.cluster.talos.dev:w <kubespan/KubeSpanPeerStatuses.kubespan.talos.dev:w >KubeSpanEndpoints.kubespan.talos.dev:x",
  "kubespan.IdentityController":
    "<config/KubeSpanConfigs.kubespan.talos.dev/kubespan:w <network/HardwareAddresses.net.talos.dev/first:w <runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >KubeSpanIdentities.kubespan.talos.dev:x >VolumeMountRequests.block.talos.dev:h",
  "kubespan.ManagerController":
    "<config/KubeSpanConfigs.kubespan.talos.dev/kubespan:w <kubespan/KubeSpanPeerSpecs.kubespan.talos.dev:w <kubespan/KubeSpanIdentities.kubespan.talos.dev/local:w >LinkSpecs.net.talos.dev:h >AddressSpecs.net.talos.dev:h >RouteSpecs.net.talos.dev:h >NfTablesChains.net.talos.dev:h >RoutingRuleSpecs.net.talos.dev:h >KubeSpanPeerStatuses.kubespan.talos.dev:x",
  "kubespan.PeerSpecController":
    "<config/KubeSpanConfigs.kubespan.talos.dev/kubespan:w <cluster/Affiliates.cluster.talos.dev:w <cluster/Identities.cluster.talos.dev/local:w >KubeSpanPeerSpecs.kubespan.talos.dev:x",
  "network.AddressConfigController":
    "<network/DeviceConfigSpecs.net.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w >AddressSpecs.net.talos.dev:h",
  "network.AddressEventController": "<network/HostnameStatuses.net.talos.dev/hostname:w",
  "network.AddressSpecController": "<network/AddressSpecs.net.talos.dev:s",
  "network.AddressStatusController": ">AddressStatuses.net.talos.dev:h",
  "network.BGPController":
    "<network/BGPInstanceConfigs.net.talos.dev:w <network/AddressStatuses.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w >RouteSpecs.net.talos.dev:h >BGPPeerStatuses.net.talos.dev:x",
  "network.BGPInstanceConfigController": "<config/MachineConfigs.config.talos.dev/v1alpha1:w",
  "network.DNSResolveCacheController":
    "<network/HostDNSConfigs.net.talos.dev/config:w >DNSResolveCaches.net.talos.dev:x",
  "network.DNSUpstreamController":
    "<network/HostDNSConfigs.net.talos.dev/config:w <network/ResolverStatuses.net.talos.dev/resolvers:w >DNSUpstreams.net.talos.dev:x",
  "network.DeviceConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/LinkStatuses.net.talos.dev:w >DeviceConfigSpecs.net.talos.dev:x",
  "network.EtcFileController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/HostnameStatuses.net.talos.dev/hostname:w <network/ResolverStatuses.net.talos.dev/resolvers:w <network/NodeAddresses.net.talos.dev/default:w <network/HostDNSConfigs.net.talos.dev/config:w >EtcFileSpecs.files.talos.dev:h",
  "network.EthernetConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >EthernetSpecs.net.talos.dev:h",
  "network.EthernetSpecController": "",
  "network.EthernetStatusController": ">EthernetStatuses.net.talos.dev:x",
  "network.HardwareAddrController":
    "<network/LinkStatuses.net.talos.dev:w >HardwareAddresses.net.talos.dev:x",
  "network.HostDNSConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >HostDNSConfigs.net.talos.dev:x >AddressSpecs.net.talos.dev:h",
  "network.HostnameConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/NodeAddresses.net.talos.dev/default:w <cluster/Identities.cluster.talos.dev/local:w >HostnameSpecs.net.talos.dev:h",
  "network.HostnameSpecController":
    "<network/HostnameSpecs.net.talos.dev:s >HostnameStatuses.net.talos.dev:x",
  "network.LinkAliasConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/LinkStatuses.net.talos.dev:w >LinkAliasSpecs.net.talos.dev:x",
  "network.LinkAliasSpecController": "",
  "network.LinkConfigController":
    "<network/DeviceConfigSpecs.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w >LinkSpecs.net.talos.dev:h",
  "network.LinkSpecController": ">LinkRefreshes.net.talos.dev:h",
  "network.LinkStatusController": ">LinkStatuses.net.talos.dev:x",
  "network.NfTablesChainConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/NodeAddresses.net.talos.dev:w >NfTablesChains.net.talos.dev:h",
  "network.NfTablesChainController": "<network/NfTablesChains.net.talos.dev:w",
  "network.NodeAddressController":
    "<network/AddressStatuses.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w <network/NodeAddressFilters.net.talos.dev:w <network/NodeAddressSortAlgorithms.net.talos.dev:w >NodeAddresses.net.talos.dev:x",
  "network.NodeAddressSortAlgorithmController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >NodeAddressSortAlgorithms.net.talos.dev:x",
  "network.OperatorConfigController":
    "<network/DeviceConfigSpecs.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w <network-config/LinkSpecs.net.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w >OperatorSpecs.net.talos.dev:h",
  "network.OperatorSpecController":
    "<network/OperatorSpecs.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w >AddressSpecs.net.talos.dev:h >LinkSpecs.net.talos.dev:h >RouteSpecs.net.talos.dev:h >HostnameSpecs.net.talos.dev:h >ResolverSpecs.net.talos.dev:h >TimeServerSpecs.net.talos.dev:h",
  "network.OperatorVIPConfigController":
    "<network/DeviceConfigSpecs.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w >OperatorSpecs.net.talos.dev:h",
  "network.PlatformConfigApplyController":
    "<network/PlatformConfigs.net.talos.dev:w >AddressSpecs.net.talos.dev:h >LinkSpecs.net.talos.dev:h >RouteSpecs.net.talos.dev:h >HostnameSpecs.net.talos.dev:h >ResolverSpecs.net.talos.dev:h >TimeServerSpecs.net.talos.dev:h >AddressStatuses.net.talos.dev:h >OperatorSpecs.net.talos.dev:h >ProbeSpecs.net.talos.dev:h >PlatformMetadatas.talos.dev:x",
  "network.PlatformConfigController": ">PlatformConfigs.net.talos.dev:h",
  "network.PlatformConfigLoadController":
    "<runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >VolumeMountRequests.block.talos.dev:h >PlatformConfigs.net.talos.dev:h",
  "network.PlatformConfigStoreController":
    "<network/PlatformConfigs.net.talos.dev/active:s <runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >VolumeMountRequests.block.talos.dev:h",
  "network.ProbeConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >ProbeSpecs.net.talos.dev:h",
  "network.ProbeController": "<network/ProbeSpecs.net.talos.dev:w >ProbeStatuses.net.talos.dev:x",
  "network.ResolverConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/HostnameStatuses.net.talos.dev/hostname:w >ResolverSpecs.net.talos.dev:h",
  "network.ResolverSpecController":
    "<network/ResolverSpecs.net.talos.dev:s >ResolverStatuses.net.talos.dev:x",
  "network.RouteConfigController":
    "<network/DeviceConfigSpecs.net.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w >RouteSpecs.net.talos.dev:h",
  "network.RouteSpecController": "<network/RouteSpecs.net.talos.dev:s",
  "network.RouteStatusController": ">RouteStatuses.net.talos.dev:x",
  "network.RouterAdvertisementController":
    "<network/BGPInstanceConfigs.net.talos.dev:w <network/LinkStatuses.net.talos.dev:w >KernelParamDefaultSpecs.runtime.talos.dev:h",
  "network.RoutingRuleConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >RoutingRuleSpecs.net.talos.dev:h",
  "network.RoutingRuleSpecController": "<network/RoutingRuleSpecs.net.talos.dev:s",
  "network.RoutingRuleStatusController": ">RoutingRuleStatuses.net.talos.dev:x",
  "network.StaticHostController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/HostnameStatuses.net.talos.dev/hostname:w <network/NodeAddresses.net.talos.dev/current:w >StaticHosts.net.talos.dev:x",
  "network.StatusController":
    "<network/NodeAddresses.net.talos.dev/current:w <network/RouteStatuses.net.talos.dev:w <network/HostnameStatuses.net.talos.dev:w <files/EtcFileStatuses.files.talos.dev:w <network/ProbeStatuses.net.talos.dev:w >NetworkStatuses.net.talos.dev:x",
  "network.TimeServerConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >TimeServerSpecs.net.talos.dev:h",
  "network.TimeServerSpecController":
    "<network/TimeServerSpecs.net.talos.dev:s >TimeServerStatuses.net.talos.dev:x",
  "perf.StatsController": ">CPUStats.perf.talos.dev:x >MemoryStats.perf.talos.dev:x",
  "runtime.APIServiceConfigController":
    "<runtime/MaintenanceServiceRequests.runtime.talos.dev/maintenance:s <runtime/MaintenanceServiceConfigs.runtime.talos.dev/maintenance:w <secrets/ApiCertificates.secrets.talos.dev/api:w >APIServiceConfigs.runtime.talos.dev:x",
  "runtime.BootIDController": ">BootIDs.runtime.talos.dev:x",
  "runtime.BootedEntryController":
    "<runtime/SecurityStates.talos.dev/securitystate:w >BootedEntries.talos.dev:x",
  "runtime.DevicesStatusController":
    "<runtime/Services.v1alpha1.talos.dev/udevd:w >DevicesStatuses.runtime.talos.dev:x",
  "runtime.DiagnosticsController":
    "<network/NodeAddresses.net.talos.dev:w <config/MachineConfigs.config.talos.dev:w <runtime/Services.v1alpha1.talos.dev:w <k8s/Nodenames.kubernetes.talos.dev:w >Diagnostics.runtime.talos.dev:x",
  "runtime.DiagnosticsLoggerController": "<runtime/Diagnostics.runtime.talos.dev:w",
  "runtime.DropUpgradeFallbackController": "<runtime/MachineStatuses.runtime.talos.dev/machine:w",
  "runtime.EnvironmentController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >Environments.runtime.talos.dev:x",
  "runtime.EventsSinkConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >EventSinkConfigs.runtime.talos.dev:x",
  "runtime.ExtensionServiceConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >ExtensionServiceConfigs.runtime.talos.dev:x",
  "runtime.ExtensionServiceConfigFilesController":
    "<runtime/ExtensionServiceConfigs.runtime.talos.dev:s >ExtensionServiceConfigStatuses.runtime.talos.dev:x",
  "runtime.ExtensionServiceController": "<runtime/ExtensionServiceConfigStatuses.runtime.talos.dev:s",
  "runtime.ExtensionStatusController": ">ExtensionStatuses.runtime.talos.dev:x",
  "runtime.ImageFactorySchematicController":
    "<runtime/ExtensionStatuses.runtime.talos.dev:w >ImageFactorySchematics.runtime.talos.dev:x",
  "runtime.KernelCmdlineController": ">KernelCmdlines.runtime.talos.dev:x",
  "runtime.KernelModuleConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <network/LinkSpecs.net.talos.dev:w <storage/MDArraySpecs.storage.talos.dev:w >KernelModuleSpecs.runtime.talos.dev:h",
  "runtime.KernelModuleSpecController": "<runtime/KernelModuleSpecs.runtime.talos.dev:s",
  "runtime.KernelModuleStatusController":
    ">LoadedKernelModules.runtime.talos.dev:x >KernelModuleStatuses.runtime.talos.dev:x",
  "runtime.KernelParamConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >KernelParamSpecs.runtime.talos.dev:h",
  "runtime.KernelParamDefaultsController": ">KernelParamDefaultSpecs.runtime.talos.dev:h",
  "runtime.KernelParamSpecController":
    "<runtime/KernelParamDefaultSpecs.runtime.talos.dev:s <runtime/KernelParamSpecs.runtime.talos.dev:s >KernelParamStatuses.runtime.talos.dev:x",
  "runtime.KmsgLogConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >KmsgLogConfigs.runtime.talos.dev:x",
  "runtime.KmsgLogDeliveryController": "",
  "runtime.KmsgLogStorageController": "",
  "runtime.LogPersistenceController":
    "<runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >VolumeMountRequests.block.talos.dev:h",
  "runtime.MachineStatusController":
    "<runtime/TimeStatuses.v1alpha1.talos.dev/node:w <network/NetworkStatuses.net.talos.dev/status:w <runtime/Services.v1alpha1.talos.dev:w <k8s/StaticPodStatuses.kubernetes.talos.dev:w <config/MachineTypes.config.talos.dev/machine-type:w <k8s/Nodenames.kubernetes.talos.dev/nodename:w <k8s/NodeStatuses.kubernetes.talos.dev:w <secrets/KubeletSecrets.secrets.talos.dev:w >MachineStatuses.runtime.talos.dev:x",
  "runtime.MachineStatusPublisherController": "<runtime/MachineStatuses.runtime.talos.dev/machine:w",
  "runtime.MaintenanceConfigController":
    "<config/SiderolinkConfigs.siderolink.talos.dev/siderolink:w <network/NodeAddresses.net.talos.dev/current:w >MaintenanceServiceConfigs.runtime.talos.dev:x",
  "runtime.MaintenanceServiceInformController":
    "<runtime/MaintenanceServiceRequests.runtime.talos.dev/maintenance:w <runtime/MaintenanceServiceConfigs.runtime.talos.dev/maintenance:w <secrets/ApiCertificates.secrets.talos.dev/api:w",
  "runtime.MountStatusController":
    "<runtime/MountStatuses.block.talos.dev:w <runtime/VolumeStatuses.block.talos.dev:w >MountStatuses.runtime.talos.dev:x",
  "runtime.OOMController": "<config/MachineConfigs.config.talos.dev/v1alpha1:w >OOMActions.talos.dev:x",
  "runtime.RebootController": "<runtime/RebootRequests.runtime.talos.dev:w",
  "runtime.SBOMItemController": ">SBOMItems.talos.dev:x",
  "runtime.SecurityStateController": "<runtime/Services.v1alpha1.talos.dev:w >SecurityStates.talos.dev:x",
  "runtime.UdevServiceController": "<runtime/KernelCmdlines.runtime.talos.dev/cmdline:s",
  "runtime.UnattendedInstallController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/ImageFactorySchematics.runtime.talos.dev/image-factory-schematic:w <runtime/Disks.block.talos.dev:w >UnattendedInstallStatuses.runtime.talos.dev:x >RebootRequests.runtime.talos.dev:x",
  "runtime.UniqueMachineTokenController":
    "<runtime/MetaLoads.runtime.talos.dev:w <config/MachineConfigs.config.talos.dev/v1alpha1:w >UniqueMachineTokens.runtime.talos.dev:x",
  "runtime.VersionController": ">Versions.runtime.talos.dev:x",
  "runtime.WatchdogTimerConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >WatchdogTimerConfigs.runtime.talos.dev:x",
  "runtime.WatchdogTimerController":
    "<runtime/WatchdogTimerConfigs.runtime.talos.dev/timer:w >WatchdogTimerStatuses.runtime.talos.dev:x",
  "secrets.APICertSANsController":
    "<secrets/OSRootSecrets.secrets.talos.dev/os:w <network/HostnameStatuses.net.talos.dev/hostname:w >CertSANs.secrets.talos.dev:h",
  "secrets.APIController":
    "<network/NetworkStatuses.net.talos.dev/status:w <config/MachineTypes.config.talos.dev/machine-type:w >ApiCertificates.secrets.talos.dev:x",
  "secrets.EncryptionSaltController":
    "<runtime/VolumeMountStatuses.block.talos.dev:s <runtime/VolumeMountRequests.block.talos.dev:d >EncryptionSalts.secrets.talos.dev:h >VolumeMountRequests.block.talos.dev:h",
  "secrets.EtcdController":
    "<secrets/EtcdRootSecrets.secrets.talos.dev/etcd:w <network/NetworkStatuses.net.talos.dev/status:w <runtime/TimeStatuses.v1alpha1.talos.dev/node:w <network/HostnameStatuses.net.talos.dev/hostname:w >EtcdSecrets.secrets.talos.dev:x",
  "secrets.KubeletController":
    "<config/MachineConfigs.config.talos.dev:w <secrets/KubeletSecrets.secrets.talos.dev:d >KubeletSecrets.secrets.talos.dev:x",
  "secrets.KubernetesCertSANsController":
    "<secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w <network/HostnameStatuses.net.talos.dev/hostname:w >CertSANs.secrets.talos.dev:h",
  "secrets.KubernetesController":
    "<secrets/KubernetesRootSecrets.secrets.talos.dev/k8s:w <runtime/TimeStatuses.v1alpha1.talos.dev/node:w >KubernetesSecrets.secrets.talos.dev:x",
  "secrets.KubernetesDynamicCertsController": ">KubernetesDynamicCerts.secrets.talos.dev:x",
  "secrets.MaintenanceCertSANsController":
    "<network/HostnameStatuses.net.talos.dev/hostname:w <network/NodeAddresses.net.talos.dev/accumulative:w >CertSANs.secrets.talos.dev:h",
  "secrets.MaintenanceRootController": ">MaintenanceRootSecrets.secrets.talos.dev:x",
  "secrets.RootEtcdController":
    "<config/MachineConfigs.config.talos.dev:w <secrets/EtcdRootSecrets.secrets.talos.dev:d >EtcdRootSecrets.secrets.talos.dev:x",
  "secrets.RootKubernetesController":
    "<config/MachineConfigs.config.talos.dev:w <secrets/KubernetesRootSecrets.secrets.talos.dev:d >KubernetesRootSecrets.secrets.talos.dev:x",
  "secrets.RootOSController":
    "<config/MachineConfigs.config.talos.dev:w <secrets/OSRootSecrets.secrets.talos.dev:d >OSRootSecrets.secrets.talos.dev:x",
  "secrets.TrustdController":
    "<network/NetworkStatuses.net.talos.dev/status:w <config/MachineTypes.config.talos.dev/machine-type:w >TrustdCertificates.secrets.talos.dev:x",
  "secrets.TrustedRootsController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >EtcFileSpecs.files.talos.dev:h",
  "security.ImageVerificationConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >ImageVerificationRules.security.talos.dev:x",
  "security.TUFTrustedRootController":
    "<security/ImageVerificationRules.security.talos.dev:w >TUFTrustedRoots.security.talos.dev:x",
  "siderolink.ConfigController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >SiderolinkConfigs.siderolink.talos.dev:x",
  "siderolink.ManagerController":
    ">AddressSpecs.net.talos.dev:h >LinkSpecs.net.talos.dev:h >SiderolinkTunnels.siderolink.talos.dev:x",
  "siderolink.StatusController":
    "<config/SiderolinkConfigs.siderolink.talos.dev/siderolink:w <config/SiderolinkTunnels.siderolink.talos.dev/siderolink-tunnel:w >SiderolinkStatuses.siderolink.talos.dev:x",
  "siderolink.UserspaceWireguardController":
    "<config/SiderolinkTunnels.siderolink.talos.dev/siderolink-tunnel:w",
  "storage.LVMActivationController":
    "<runtime/DiscoveredVolumes.block.talos.dev:w <runtime/VolumeStatuses.block.talos.dev/META:w <runtime/Services.v1alpha1.talos.dev/udevd:w",
  "storage.LVMLogicalVolumeReconcileController":
    "<storage/LVMLogicalVolumeSpecs.storage.talos.dev:w <storage/LVMVolumeGroupStatuses.storage.talos.dev:w <storage/LVMLogicalVolumeStatuses.storage.talos.dev:w <storage/LVMPhysicalVolumeStatuses.storage.talos.dev:w >LVMValidationErrors.storage.talos.dev:h",
  "storage.LVMLogicalVolumeSpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >LVMLogicalVolumeSpecs.storage.talos.dev:x",
  "storage.LVMPhysicalVolumeSpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <runtime/DiscoveredVolumes.block.talos.dev:w <runtime/Disks.block.talos.dev:w <runtime/SystemDisks.block.talos.dev/system-disk:w >LVMPhysicalVolumeSpecs.storage.talos.dev:x >LVMValidationErrors.storage.talos.dev:h",
  "storage.LVMRefreshTriggerController":
    "<runtime/BlockDevices.block.talos.dev:w <runtime/Disks.block.talos.dev:w <runtime/DiscoveredVolumes.block.talos.dev:w >LVMRefreshRequests.storage.talos.dev:x",
  "storage.LVMScanController":
    "<storage/LVMRefreshRequests.storage.talos.dev:w >LVMVolumeGroupStatuses.storage.talos.dev:x >LVMPhysicalVolumeStatuses.storage.talos.dev:x >LVMLogicalVolumeStatuses.storage.talos.dev:x",
  "storage.LVMVolumeGroupReconcileController":
    "<storage/LVMVolumeGroupSpecs.storage.talos.dev:w <storage/LVMVolumeGroupStatuses.storage.talos.dev:w <storage/LVMPhysicalVolumeStatuses.storage.talos.dev:w",
  "storage.LVMVolumeGroupSpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w <storage/LVMPhysicalVolumeSpecs.storage.talos.dev:w >LVMVolumeGroupSpecs.storage.talos.dev:x",
  "storage.MDArrayReconcileController":
    "<storage/MDArraySpecs.storage.talos.dev:w <runtime/Disks.block.talos.dev:w <runtime/DiscoveredVolumes.block.talos.dev:w <storage/MDRefreshRequests.storage.talos.dev/refresh:w <runtime/SystemDisks.block.talos.dev/system-disk:w >MDArrayStatuses.storage.talos.dev:x",
  "storage.MDArraySpecController":
    "<config/MachineConfigs.config.talos.dev/v1alpha1:w >MDArraySpecs.storage.talos.dev:x",
  "storage.MDLastResortController":
    "<runtime/BlockDevices.block.talos.dev:w <runtime/Services.v1alpha1.talos.dev/udevd:w",
  "storage.MDMonitorController":
    "<storage/MDArraySpecs.storage.talos.dev:w <storage/MDArrayStatuses.storage.talos.dev:w >MDRefreshRequests.storage.talos.dev:x",
  "time.AdjtimeStatusController": ">AdjtimeStatuses.v1alpha1.talos.dev:x",
  "time.SyncController": ">TimeStatuses.v1alpha1.talos.dev:x >NTPStatuses.v1alpha1.talos.dev:x",
  "v1alpha1.EventsSinkController": "",
  "v1alpha1.ServiceController": ">Services.v1alpha1.talos.dev:x",
};
