/**
 * pulumi-flyte: Flyte's infrastructure model (task environments, images, secrets,
 * resources and accelerators) as Pulumi components. The pure core validates and
 * expands configuration; the components register what the core produced.
 *
 * This file is the package's public API: what a program needs to declare Flyte's
 * model, read what it deployed, and use the pure renderer and scheduling simulator.
 * Everything else is internal (`scripts/list-exports.ts` lists what is exported).
 */

// Errors: every invalid input throws a ValidationError whose `field` is the value's path.
export { ValidationError } from "./core/errors";

// Components.
export { TaskEnvironment } from "./components/task-environment";
export type { TaskEnvironmentArgs, EnvironmentImage } from "./components/task-environment";
export { Task, TaskRun } from "./components/task";
export type { TaskRunArgs } from "./components/task";
export type { WaitOptions, JobCompletion } from "./components/job-wait";
export { ImageBuild, BUILT_BY_LABEL } from "./components/image-build";
export type { ImageBuildArgs, ImageBuildOptions } from "./components/image-build";
export { SecretStore } from "./components/secret-store";
export { Queue } from "./components/queue";
export type { QueueArgs } from "./components/queue";
export type { SecretStoreArgs } from "./components/secret-store";
export { readStackConfig } from "./components/stack-config";
export type { FlyteStackConfig } from "./components/stack-config";
export { configureSchedulingCheck, SCHEDULING_CHECK_MODES } from "./components/schedulability";
export type { SchedulingCheckMode, SchedulingCheckOptions, SchedulingReport } from "./components/schedulability";

// Flyte's settings of environments and tasks.
export type { EnvironmentArgs, Environment, SecretRequest, ImageInput, ImageLike } from "./core/environment-settings";
export type { TaskTemplate, TaskOptions, OverrideOptions, TaskSettings } from "./core/task-template";
export type { RunArgs } from "./core/podtemplate/job";
export type { Duration } from "./core/duration";
export type { CacheInput, CacheArgs, ReusePolicyArgs } from "./core/policies";

// Resources and accelerators, with their catalogues.
export { Resources } from "./core/resources";
export type { ResourcesArgs, CpuValue, RequestLimit } from "./core/resources";
export { GPU, TPU, Neuron, AMD, Gaudi, acceleratorStrings } from "./core/devices";
export type { Device, DeviceClass, GPUArgs, TPUArgs, NeuronArgs, SimpleDeviceArgs } from "./core/devices";
export type { GpuName, MigProfile, TpuName, TpuTopology, NeuronName, AmdName, GaudiName } from "./core/devices";
export { GPU_MODELS } from "./core/catalog/gpus";
export type { GpuModel } from "./core/catalog/gpus";
export { TPU_GENERATIONS } from "./core/catalog/tpus";
export type { TpuGeneration } from "./core/catalog/tpus";
export { NEURON_DEVICES, AMD_GPUS, GAUDI_DEVICES } from "./core/catalog/others";

// Secrets.
export { Secret, SECRET_MOUNT_PATH } from "./core/secret";
export type { SecretArgs } from "./core/secret";

// Images.
export { Image } from "./core/image/image";
export type { Architecture } from "./core/image/checks";
export type {
    CloneArgs,
    DebianBaseArgs,
    DockerfileArgs,
    LocalV2Args,
    PipPackagesArgs,
    SourceFolderOptions,
    UvScriptArgs,
} from "./core/image/image-args";
export type { PipOptionsArgs } from "./core/image/pip-options";
export type { Layer } from "./core/image/layers";
export type { DockerfileOptions } from "./core/image/dockerfile";
export type { SecretMountInput } from "./core/image/build-secrets";
export { init } from "./core/image/config";
export type { ImageInitOptions } from "./core/image/config";
export { FLYTE_VERSION } from "./core/image/defaults";
export { ARCHITECTURES, PYTHON_VERSIONS } from "./core/image/checks";

// Queues (Kueue): their arguments, objects and the admission simulation the check runs.
export type {
    QueueSettings,
    QueueFlavorArgs,
    QueueQuota,
    QueuePreemption,
    QueueFlavorFungibility,
} from "./core/queue/queue-args";
export { normalizeQueue, localQueue } from "./core/queue/cluster-queue";
export type { NormalizedQueue, QueueFlavor } from "./core/queue/cluster-queue";
export { QUEUE_NAME_LABEL } from "./core/queue/kueue";
export type { ResourceFlavor, ClusterQueue, LocalQueue, Cohort } from "./core/queue/kueue";
export { simulateAdmission } from "./core/simulator/queue-admission";
export type {
    KueueSnapshot,
    QueuedWorkload,
    AdmissionVerdict,
    AdmissionOutcome,
} from "./core/simulator/queue-admission";

// Cluster flavours (scheduling profiles).
export { BUILTIN_PROFILES } from "./core/placement/builtin-profiles";
export type { BuiltinProfileName } from "./core/placement/builtin-profiles";
export { PROFILE_NAMES } from "./core/placement/resolve";
export type { ProfileInput, CustomProfile } from "./core/placement/resolve";
export type { SchedulingProfile, MigStrategy, NeuronUnit } from "./core/placement/profile";
export type { Placement, NodeSelectorRequirement, Toleration } from "./core/placement/types";

// The pure renderer: a PodTemplate without Pulumi.
export { renderPodTemplate, LABELS, ANNOTATIONS } from "./core/podtemplate/render";
export type { PodTemplateRenderOptions } from "./core/podtemplate/render";
export type { PodTemplate, PodTemplateInput, PodSpec } from "./core/podtemplate/kube-types";

// The scheduling simulator (what the scheduling check runs).
export {
    simulateScheduling,
    declaredPoolNodes,
    fromKubernetesNode,
    poolOf,
    POOL_LABELS,
} from "./core/simulator/simulate";
export type { KubernetesNodeLike } from "./core/simulator/simulate";
export { groupNodeShapes, IDENTITY_LABELS } from "./core/simulator/node-shapes";
export type { NodeShapes, ShapePart } from "./core/simulator/node-shapes";
export type {
    SchedulingVerdict,
    NodeVerdict,
    NodeGroup,
    NodePoolDeclaration,
    SimulateOptions,
} from "./core/simulator/simulate";
export { FILTERS as SCHEDULER_FILTERS } from "./core/simulator/fit";
export type { SchedulingNode, SchedulablePodSpec, FilterName, FilterFailure } from "./core/simulator/fit";
