/**
 * pulumi-flyte: Flyte's infrastructure model (task environments, images, secrets,
 * resources and accelerators) as Pulumi components. The pure core validates and
 * expands configuration; the components register what the core produced.
 */
export { ValidationError } from "./core/errors";
export { Resources } from "./core/resources";
export type { ResourcesArgs } from "./core/resources";
export { GPU, TPU, Neuron, AMD, Gaudi, acceleratorStrings } from "./core/devices";
export type { Device, DeviceClass, GPUArgs, TPUArgs, NeuronArgs, SimpleDeviceArgs } from "./core/devices";
export { Secret, SECRET_MOUNT_PATH } from "./core/secret";
export type { SecretArgs } from "./core/secret";
export { GPU_MODELS } from "./core/catalog/gpus";
export type { GpuModel } from "./core/catalog/gpus";
export { TPU_GENERATIONS } from "./core/catalog/tpus";
export type { TpuGeneration } from "./core/catalog/tpus";
export { NEURON_DEVICES, AMD_GPUS, GAUDI_DEVICES } from "./core/catalog/others";
export { canonicalQuantity } from "./core/quantity";
export type { Duration } from "./core/duration";
export type { CacheInput, CacheArgs, ReusePolicyArgs } from "./core/policies";
export { normalizeEnvironment } from "./core/environment";
export type { EnvironmentArgs, Environment, SecretRequest, ImageInput } from "./core/environment";
export { TaskTemplate } from "./core/task";
export type { TaskOptions, OverrideOptions, TaskSettings } from "./core/task";
export type { SchedulingProfile, MigStrategy, NeuronUnit } from "./core/scheduling/profile";
export { BUILTIN_PROFILES } from "./core/scheduling/builtin-profiles";
export type { BuiltinProfileName } from "./core/scheduling/builtin-profiles";
export { resolveProfile, PROFILE_NAMES } from "./core/scheduling/resolve";
export type { ProfileInput, CustomProfile } from "./core/scheduling/resolve";
export type { Placement, NodeSelectorRequirement, Toleration } from "./core/scheduling/types";
export { placeDevice } from "./core/scheduling/place";
export { simulateScheduling, declaredPoolNodes, fromKubernetesNode, poolOf, POOL_LABELS } from "./core/scheduling/simulate";
export type { SchedulingVerdict, NodeVerdict, NodeGroup, NodePoolDeclaration, SimulateOptions } from "./core/scheduling/simulate";
export { FILTERS as SCHEDULER_FILTERS } from "./core/scheduling/fit";
export type { SchedulingNode, SchedulablePodSpec, FilterName, FilterFailure } from "./core/scheduling/fit";
export { renderPodTemplate, render, LABELS, ANNOTATIONS } from "./core/podtemplate/render";
export type { RenderOptions as PodTemplateRenderOptions, Rendered } from "./core/podtemplate/render";
export type { PodTemplate, PodTemplateInput, PodSpec } from "./core/podtemplate/types";
export { kubernetesSecretName, DEFAULT_SECRET_GROUP } from "./core/podtemplate/secrets";
export { jobSpec } from "./core/podtemplate/job";
export type { RunArgs } from "./core/podtemplate/job";
export { kubernetesName } from "./core/names";
export * from "./core/image";
export { assembleBuildContext } from "./build/context";
export type { AssembledContext } from "./build/context";

export { readStackConfig } from "./components/stack-config";
export type { FlyteStackConfig } from "./components/stack-config";
export { SecretStore } from "./components/secret-store";
export type { SecretStoreArgs } from "./components/secret-store";
export { ImageBuild, BUILT_BY_LABEL } from "./components/image-build";
export type { ImageBuildArgs, ImageBuildOptions } from "./components/image-build";
export { TaskEnvironment } from "./components/task-environment";
export type { TaskEnvironmentArgs, EnvironmentImage } from "./components/task-environment";
export { Task, TaskRun } from "./components/task";
export { configureSchedulingCheck, SCHEDULING_CHECK_MODES } from "./components/schedulability";
export type { SchedulingCheckMode, SchedulingCheckOptions, SchedulingReport } from "./components/schedulability";
export type { TaskRunArgs } from "./components/task";
