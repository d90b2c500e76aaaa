/**
 * pulumi-flyte: Flyte's infrastructure model (task environments, images, secrets,
 * resources and accelerators) as Pulumi components. The pure core validates and
 * expands configuration; the components register what the core produced.
 */
export { ValidationError } from "./core/errors";
export { Resources, ResourcesArgs } from "./core/resources";
export { Device, DeviceClass, GPU, TPU, Neuron, AMD, Gaudi, GPUArgs, TPUArgs, NeuronArgs, acceleratorStrings } from "./core/devices";
export { Secret, SecretArgs, SECRET_MOUNT_PATH } from "./core/secret";
export { GPU_MODELS, GpuModel } from "./core/catalog/gpus";
export { TPU_GENERATIONS, TpuGeneration } from "./core/catalog/tpus";
export { NEURON_DEVICES, AMD_GPUS, GAUDI_DEVICES } from "./core/catalog/others";
export { canonicalQuantity } from "./core/quantity";
export { Duration } from "./core/duration";
export { CacheInput, CacheArgs, ReusePolicyArgs } from "./core/policies";
export { EnvironmentArgs, Environment, normalizeEnvironment, SecretRequest, ImageInput } from "./core/environment";
export { TaskOptions, OverrideOptions, TaskSettings, TaskTemplate } from "./core/task";
export { SchedulingProfile, MigStrategy, NeuronUnit } from "./core/scheduling/profile";
export { BUILTIN_PROFILES, BuiltinProfileName } from "./core/scheduling/builtin-profiles";
export { ProfileInput, CustomProfile, resolveProfile, PROFILE_NAMES } from "./core/scheduling/resolve";
export { Placement, NodeSelectorRequirement, Toleration } from "./core/scheduling/types";
export { placeDevice } from "./core/scheduling/place";
export { renderPodTemplate, render, RenderOptions, LABELS, ANNOTATIONS } from "./core/podtemplate/render";
export { PodTemplate, PodTemplateInput, PodSpec } from "./core/podtemplate/types";
export { kubernetesSecretName, DEFAULT_SECRET_GROUP } from "./core/podtemplate/secrets";
export { kubernetesName } from "./core/names";
