import { z } from "zod";
import { GPU_MODELS } from "../core/catalog/gpus";
import { AMD_GPUS, GAUDI_DEVICES, NEURON_DEVICES } from "../core/catalog/others";
import { SHARED_GPUS } from "../core/catalog/shared-gpus";
import { TPU_GENERATIONS } from "../core/catalog/tpus";
import { ARCHITECTURES } from "../core/image/checks";
import { COLUMNS } from "../core/placement/profile";
import { anyJson, enumOf, input, object, opt, req, secret } from "./kit";

/**
 * The data form of every argument: what Python, YAML and other languages pass to the
 * `flyte` package, and what `Image.toSpec()` produces in TypeScript. One zod schema per
 * type is the single source of the package's fields, types, enums and documentation:
 * `provider/src/args.ts` is generated from these schemas (scripts/gen-provider-args.ts)
 * and a test compares them with the schema the Pulumi CLI infers from the package.
 *
 * The data form is the TypeScript API without unions: `cpu: [1, 4]` is `cpu: "1",
 * cpuLimit: "4"`; an `Image` built with methods is a source plus an ordered list of
 * layers; `cache: "auto"` is `cache: { behavior: "auto" }`. Every value is converted
 * to the TypeScript arguments and validated by the same core (./convert.ts).
 */

// ----------------------------------------------------------------------------- enums

export const ProfileName = enumOf(
    "ProfileName",
    "A built-in cluster flavour: how accelerators and spot capacity are selected.",
    ["gke", "eks", "aks", "nvidia", "flyte"] as const,
);

export const MigStrategy = enumOf(
    "MigStrategy",
    "The NVIDIA device plugin's MIG strategy: `single` (slices advertised as nvidia.com/gpu) or `mixed` (nvidia.com/mig-<profile>).",
    ["single", "mixed"] as const,
);

export const DeviceAllocation = enumOf(
    "DeviceAllocation",
    "How pods ask for accelerators: `extended` resources (device plugins, e.g. `nvidia.com/gpu`) or `dra` ResourceClaims (Dynamic Resource Allocation, resource.k8s.io/v1).",
    ["extended", "dra"] as const,
);

export const DeviceClass = enumOf("DeviceClass", "Accelerator family.", [
    "GPU",
    "TPU",
    "NEURON",
    "AMD_GPU",
    "HABANA_GAUDI",
] as const);

const DEVICE_NAMES = [
    ...GPU_MODELS.map((m) => m.name),
    ...SHARED_GPUS.map((d) => d.name),
    ...TPU_GENERATIONS.map((t) => t.name),
    ...NEURON_DEVICES.map((d) => d.name),
    ...AMD_GPUS.map((d) => d.name),
    ...GAUDI_DEVICES.map((d) => d.name),
] as [string, ...string[]];

export const DeviceName = enumOf(
    "DeviceName",
    "An accelerator model from the catalogue (GPU models, shared GPUs, TPU generations, Neuron, AMD and Gaudi devices).",
    DEVICE_NAMES,
);
/** The spaced names flyte-sdk 2.12 deprecated (`A100 80G`) are still accepted, as the canonical device. */
const DEVICE_ALIASES = new Map<unknown, string>(GPU_MODELS.flatMap((m) => m.aliases.map((a) => [a, m.name] as const)));
const deviceName = z.preprocess((v) => DEVICE_ALIASES.get(v) ?? v, DeviceName);

export const CacheBehavior = enumOf(
    "CacheBehavior",
    "Flyte's cache behaviour: `auto` (version from the task), `override` (explicit version), `disable`.",
    ["auto", "override", "disable"] as const,
);

export const ReuseScope = enumOf("ReuseScope", "Who shares a warm replica: every run (`global`) or one run (`run`).", [
    "global",
    "run",
] as const);

export const Architecture = enumOf("Architecture", "A container platform Flyte builds images for.", ARCHITECTURES);

export const NetworkMode = enumOf("NetworkMode", "Network of the build's RUN steps.", [
    "default",
    "host",
    "none",
] as const);

export const NeuronUnit = enumOf("NeuronUnit", "Request whole Neuron devices or NeuronCores.", [
    "device",
    "core",
] as const);

export const NodeSelectorOperator = enumOf("NodeSelectorOperator", "A node selector requirement's operator.", [
    "In",
    "NotIn",
    "Exists",
    "DoesNotExist",
    "Gt",
    "Lt",
] as const);

export const TolerationOperator = enumOf("TolerationOperator", "A toleration's operator.", [
    "Exists",
    "Equal",
] as const);

export const TaintEffect = enumOf("TaintEffect", "A taint effect.", [
    "NoSchedule",
    "PreferNoSchedule",
    "NoExecute",
] as const);

export const CatalogColumn = enumOf(
    "CatalogColumn",
    "A column of the device catalogue that a label rule takes its values from.",
    COLUMNS,
);

export const PartitionKind = enumOf(
    "PartitionKind",
    "How nodes advertise MIG slices: a node `label`, or GPU Feature Discovery's product label (`gfdProduct`).",
    ["label", "gfdProduct"] as const,
);

// ------------------------------------------------------------------ resources, secrets

export const Device = object(
    "Device",
    "An accelerator request, as `GPU()`, `TPU()`, `Neuron()`, `AMD()`, `Gaudi()` return it. A GPU without `device` is a bare count of any GPU.",
    {
        deviceClass: req(DeviceClass, "Accelerator family."),
        device: opt(
            deviceName,
            "Model (e.g. `A100_80G`, `T4 shared`, `V5P`, `Inf2`; the spaced `A100 80G` is accepted too); omit for a bare GPU count.",
        ),
        quantity: opt(z.number(), "How many (default 1; TPUs take a topology instead)."),
        partition: opt(
            z.string(),
            "A MIG profile (e.g. `1g.5gb`) of a GPU, or the slice topology of a TPU (e.g. `2x2x1`).",
        ),
    },
);

export const Resources = object(
    "Resources",
    "Compute resources with Flyte's semantics: a value is the request and the limit unless a separate limit is given; accelerators always have limit = request.",
    {
        cpu: opt(
            z.string(),
            'CPU request (and limit unless `cpuLimit`): cores (`"8"`, `"0.5"`) or a quantity (`"500m"`).',
        ),
        cpuLimit: opt(z.string(), "CPU limit, when it differs from the request."),
        memory: opt(z.string(), 'Memory request (and limit unless `memoryLimit`), a quantity such as `"64Gi"`.'),
        memoryLimit: opt(z.string(), "Memory limit, when it differs from the request."),
        disk: opt(z.string(), 'Ephemeral storage, a quantity such as `"100Gi"`.'),
        shm: opt(z.string(), 'Shared memory at /dev/shm: a size (`"16Gi"`) or `"auto"` (as large as the node allows).'),
        gpu: opt(
            z.string(),
            'An accelerator string `DEVICE:QUANTITY`, e.g. `"A100_80G:4"`, `"H100:8"`, `"T4 shared:1"`, `"Inf2:6"`, `"MI300X:1"` (or use `device`).',
        ),
        device: opt(
            Device,
            "An accelerator as data: MIG slices, TPU topologies, Neuron devices or a bare GPU count (instead of `gpu`).",
        ),
        gpus: opt(
            z.array(z.string()),
            'Acceptable accelerators in order of preference, e.g. `["H100:1", "A100 80G:1"]` (instead of `gpu`): a DRA claim\'s `firstAvailable` (deviceAllocation `dra`).',
        ),
        devices: opt(
            z.array(Device),
            "Acceptable accelerators as data, in order of preference (instead of `device`): a DRA claim's `firstAvailable`.",
        ),
    },
);

export const Secret = object(
    "Secret",
    "A reference to a secret. Without `mount` or `asEnvVar` it becomes the env var `GROUP_KEY` (upper-cased, `-` -> `_`), as in Flyte.",
    {
        key: req(z.string(), "Name of the secret in its group (a key of the Kubernetes Secret)."),
        group: opt(z.string(), "Group: one Kubernetes Secret per group (default `flyte-secrets`)."),
        mount: opt(z.string(), "Mount as a file under this path (only `/etc/flyte/secrets`): `<mount>/<group>/<key>`."),
        asEnvVar: opt(z.string(), "Expose as this environment variable."),
    },
);

export const Cache = object("Cache", "A task's cache policy (Flyte's default is `disable`).", {
    behavior: req(CacheBehavior, "`auto`, `override` or `disable`."),
    version: opt(z.string(), "An explicit cache version."),
    serialize: opt(z.boolean(), "Run one execution at a time for identical inputs."),
    ignoredInputs: opt(z.array(z.string()), "Inputs left out of the cache key."),
    salt: opt(z.string(), "Salt of the cache key."),
});

export const ReusePolicy = object(
    "ReusePolicy",
    "Reuse warm containers across tasks: a warm pool (a Deployment of the minimum replicas).",
    {
        replicas: opt(z.number(), "Warm replicas (default 2); the minimum when `maxReplicas` is set."),
        maxReplicas: opt(z.number(), "Maximum replicas (default: `replicas`)."),
        idleTtl: opt(z.string(), 'Idle time before a replica is released, e.g. `"5m"` (at least 30 s).'),
        scaledownTtl: opt(z.string(), 'Time before scaling down after load drops, e.g. `"10m"` (at least 30 s).'),
        concurrency: opt(z.number(), "Concurrent tasks per replica (default 1)."),
        scope: opt(ReuseScope, "`global` (default) or `run`."),
    },
);

export const PodTemplateMetadata = object(
    "PodTemplateMetadata",
    "Labels and annotations of a base pod template (Kubernetes style).",
    {
        labels: opt(z.record(z.string()), "Pod labels."),
        annotations: opt(z.record(z.string()), "Pod annotations."),
    },
);

export const PodTemplate = object(
    "PodTemplate",
    "A base pod template merged under what the environment sets, Flyte style (`podSpec`, `primaryContainerName`, `labels`, `annotations`) or Kubernetes style (`metadata`, `spec`).",
    {
        primaryContainerName: opt(z.string(), "The container the environment configures (default `primary`)."),
        labels: opt(z.record(z.string()), "Pod labels (Flyte style)."),
        annotations: opt(z.record(z.string()), "Pod annotations (Flyte style)."),
        podSpec: opt(anyJson(), "A core/v1 PodSpec (Flyte style)."),
        metadata: opt(PodTemplateMetadata, "Labels and annotations (Kubernetes style)."),
        spec: opt(anyJson(), "A core/v1 PodSpec (Kubernetes style)."),
    },
);

// --------------------------------------------------------------------------- profiles

export const NodeSelectorRequirement = object("NodeSelectorRequirement", "A node affinity requirement.", {
    key: req(z.string(), "Node label key."),
    operator: req(NodeSelectorOperator, "Operator."),
    values: opt(z.array(z.string()), "Values (for In, NotIn, Gt, Lt)."),
});

export const Toleration = object("Toleration", "A toleration of node taints.", {
    key: opt(z.string(), "Taint key (empty with Exists: every taint)."),
    operator: opt(TolerationOperator, "`Exists` or `Equal`."),
    value: opt(z.string(), "Taint value (with Equal)."),
    effect: opt(TaintEffect, "Taint effect (empty: every effect)."),
    tolerationSeconds: opt(z.number(), "For NoExecute: seconds the pod stays after the taint appears."),
});

export const LabelRule = object(
    "LabelRule",
    "One node-label requirement whose values come from the device's catalogue row (or one fixed value).",
    {
        key: req(z.string(), "Node label key."),
        column: opt(CatalogColumn, "Values from this catalogue column."),
        value: opt(z.string(), "Or one fixed value."),
        onlyIfShared: opt(
            CatalogColumn,
            "Only when another device of the family shares the device's value in this column.",
        ),
        memoryBoundsIfShared: opt(
            CatalogColumn,
            "Separate devices sharing a value in this column by per-device memory bounds.",
        ),
    },
);

const deviceRuleFields = {
    resource: req(z.string(), "Extended resource name, e.g. `nvidia.com/gpu`."),
    selectors: req(z.array(z.array(LabelRule)), "Alternatives (ORed node-selector terms), each a list of rules ANDed."),
    tolerations: req(z.array(Toleration), "Tolerations added for the device."),
    tolerateSelectedLabels: opt(
        z.boolean(),
        "Flyte backend style: tolerate every selected label with `Equal` and its value.",
    ),
};

export const DeviceRules = object(
    "DeviceRules",
    "How one accelerator family is requested and selected.",
    deviceRuleFields,
);

export const PartitionRule = object("PartitionRule", "How nodes advertise MIG slices.", {
    kind: req(PartitionKind, "`label` or `gfdProduct`."),
    key: opt(z.string(), "The node label carrying the MIG profile (kind `label`)."),
    productKey: opt(z.string(), "GPU Feature Discovery's product label (kind `gfdProduct`)."),
    strategyKey: opt(z.string(), "GPU Feature Discovery's MIG strategy label (kind `gfdProduct`)."),
});

export const SharingRules = object(
    "SharingRules",
    "How a cluster flavour offers shared GPUs (`T4 shared`): pools that time-slice (or run under MPS) each GPU between pods, each pod requesting one share.",
    {
        shared: req(
            z.array(NodeSelectorRequirement),
            "Requirements added to a shared GPU's selection, e.g. `cloud.google.com/gke-gpu-sharing-strategy In [time-sharing, mps]`.",
        ),
        gfdProductSuffix: opt(
            z.string(),
            "Suffix of a shared node's GPU Feature Discovery product label (`-SHARED`), applied to the `gfdProducts` values.",
        ),
        unshared: opt(NodeSelectorRequirement, "Requirement keeping whole GPUs and MIG slices off shared pools."),
        resource: opt(z.string(), "Resource one share is requested as (default: the GPU rules' `resource`)."),
    },
);

export const GpuRules = object("GpuRules", "How NVIDIA GPUs and MIG slices are requested and selected.", {
    ...deviceRuleFields,
    migStrategies: req(z.array(MigStrategy), "MIG strategies the cluster supports; the first is the default."),
    partition: req(PartitionRule, "How nodes advertise MIG slices."),
    unpartitioned: opt(NodeSelectorRequirement, "Requirement keeping whole-GPU requests off MIG nodes."),
    mixedResourcePrefix: req(z.string(), "Resource prefix under the mixed strategy, e.g. `nvidia.com/mig-`."),
    sharing: opt(SharingRules, "Shared GPUs; without it a shared GPU is refused (with `sharingRefusal`)."),
    sharingRefusal: opt(z.string(), "Why the flavour cannot place shared GPUs (when it has no `sharing`)."),
});

export const TpuRules = object("TpuRules", "How TPU slices are requested and selected.", {
    ...deviceRuleFields,
    topologyLabel: req(z.string(), "Node label carrying the slice topology."),
    requireTopology: req(z.boolean(), "Whether a topology must be given."),
});

export const NeuronRules = object("NeuronRules", "How AWS Neuron devices are requested and selected.", {
    ...deviceRuleFields,
    unit: req(NeuronUnit, "Request whole devices or NeuronCores."),
    coreResource: req(z.string(), "The NeuronCore resource name."),
});

export const AnyGpuRules = object("AnyGpuRules", "How a bare GPU count (no model) is requested.", {
    resource: req(z.string(), "Extended resource name."),
    tolerations: req(z.array(Toleration), "Tolerations added."),
});

export const CapacityRules = object("CapacityRules", "How spot and on-demand capacity are selected.", {
    spotNodeSelector: opt(z.record(z.string()), "Labels selecting spot nodes for interruptible tasks."),
    spotTolerations: opt(z.array(Toleration), "Tolerations of spot nodes."),
    onDemand: opt(z.array(NodeSelectorRequirement), "Requirements keeping other tasks off spot nodes."),
});

export const DraGpuRules = object("DraGpuRules", "How NVIDIA GPUs are claimed through DRA.", {
    deviceClass: req(z.string(), "DeviceClass of whole GPUs, e.g. `gpu.nvidia.com`."),
    migDeviceClass: req(z.string(), "DeviceClass of MIG devices, e.g. `mig.nvidia.com`."),
    domain: req(z.string(), "Attribute domain (the driver), e.g. `gpu.nvidia.com`."),
    productAttribute: req(z.string(), "Attribute with the product name, e.g. `productName`."),
    profileAttribute: req(z.string(), "Attribute with a MIG device's profile, e.g. `profile`."),
    memoryCapacity: opt(z.string(), "Capacity with the memory (whole GPUs need 90% of the model's), e.g. `memory`."),
    tolerations: req(z.array(Toleration), "Tolerations of the driver's nodes."),
});

export const DraTpuRules = object("DraTpuRules", "How TPU chips are claimed through DRA.", {
    deviceClass: req(z.string(), "DeviceClass, e.g. `tpu.google.com`."),
    domain: req(z.string(), "Attribute domain, e.g. `tpu.google.com`."),
    generationAttribute: req(z.string(), "Attribute with the TPU generation, e.g. `tpuGen`."),
    tolerations: req(z.array(Toleration), "Tolerations of the driver's nodes."),
});

export const DraRules = object("DraRules", "DRA conventions per accelerator family.", {
    gpu: opt(DraGpuRules, "NVIDIA GPUs and MIG slices."),
    tpu: opt(DraTpuRules, "TPUs."),
});

export const CustomProfile = object(
    "CustomProfile",
    "A cluster flavour of your own: a built-in (`extends`) with parts replaced, or a complete profile.",
    {
        extends: opt(ProfileName, "The built-in profile this one extends (omit to give a complete profile)."),
        name: req(z.string(), "Name of the profile (lower-case letters, digits and '-')."),
        preferNodeSelector: opt(
            z.boolean(),
            "Put single-valued `In` requirements in `nodeSelector` (else node affinity).",
        ),
        anyGpu: opt(AnyGpuRules, "A bare GPU count."),
        gpu: opt(GpuRules, "NVIDIA GPUs."),
        tpu: opt(TpuRules, "TPUs."),
        neuron: opt(NeuronRules, "AWS Neuron."),
        amd: opt(DeviceRules, "AMD GPUs."),
        gaudi: opt(DeviceRules, "Habana Gaudi."),
        capacity: opt(CapacityRules, "Spot and on-demand capacity."),
        deviceValues: opt(
            z.record(z.record(z.array(z.string()))),
            'Per-device overrides of catalogue values, by device then column, e.g. `{"A100": {"gke": ["my-a100"]}}`.',
        ),
        deviceAllocation: opt(DeviceAllocation, "Extended resources (default) or DRA claims for this flavour."),
        dra: opt(DraRules, "DRA conventions per family, replacing the drivers' (NVIDIA's, Google's) family by family."),
    },
);

// ---------------------------------------------------------------------------- images

export const SecretMount = object(
    "SecretMount",
    "A build-time secret for one step (a BuildKit secret mount, never a layer). Its value comes from `secretValues` or the env var `<GROUP>_<KEY>`.",
    {
        key: req(z.string(), "Secret key."),
        group: opt(z.string(), "Secret group."),
        mount: opt(z.string(), "Mount as a file under /etc/flyte/secrets instead of an env var."),
        asEnvVar: opt(z.string(), "Expose to the step as this env var."),
        byKey: opt(
            z.boolean(),
            'Given as the bare key string (flyte-sdk hashes `"x"` and `Secret(key="x")` differently): only `key` may be set.',
        ),
    },
);

const pipFields = {
    indexUrl: opt(z.string(), "Replaces PyPI (`--index-url`); no credentials (use a build secret)."),
    extraIndexUrls: opt(z.array(z.string()), "Additional indexes (`--extra-index-url`)."),
    pre: opt(z.boolean(), "Allow pre-releases (`--pre`)."),
    extraArgs: opt(z.string(), 'Further pip options, e.g. `"--no-cache-dir"`.'),
    secretMounts: opt(z.array(SecretMount), "Build-time secrets of this step."),
};

export const DebianBaseImage = object("DebianBaseImage", "Flyte's default image (`Image.fromDebianBase`).", {
    python: opt(z.string(), 'Python version `"3.10"` .. `"3.14"` (default `"3.11"`).'),
    flyteVersion: opt(z.string(), "flyte release of the prebuilt base (default 2.12.1)."),
    installFlyte: opt(
        z.boolean(),
        "true (default): start from Flyte's released image; false: python slim plus Flyte's layers, without flyte.",
    ),
    registry: opt(z.string(), "Registry the image is pushed to."),
    name: opt(z.string(), "Image name."),
    platform: opt(z.array(Architecture), "Platforms (default linux/amd64 and linux/arm64)."),
});

export const DockerfileImage = object(
    "DockerfileImage",
    "An image built from your own Dockerfile (`Image.fromDockerfile`); no layers can be added.",
    {
        file: req(z.string(), "Path of the Dockerfile (its folder is the build context)."),
        name: req(z.string(), "Image name."),
        registry: opt(z.string(), "Registry the image is pushed to."),
        platform: opt(z.array(Architecture), "Platforms (default linux/amd64)."),
    },
);

export const UvScriptImage = object(
    "UvScriptImage",
    "An image for a uv script (`Image.fromUvScript`): the dependencies of its `# /// script` block.",
    {
        script: req(z.string(), "Path of the .py script."),
        name: req(z.string(), "Image name."),
        registry: opt(z.string(), "Registry the image is pushed to."),
        python: opt(z.string(), "Python version."),
        platform: opt(z.array(Architecture), "Platforms."),
        ...pipFields,
    },
);

export const ImageClone = object(
    "ImageClone",
    "`clone`: another registry, name, extendability or platform; marks the image as to be built.",
    {
        registry: opt(z.string(), "Registry."),
        name: opt(z.string(), "Name."),
        extendable: opt(z.boolean(), "Whether layers may be added (fromBase images need true)."),
        platform: opt(z.array(Architecture), "Platforms."),
    },
);

export const AptPackages = object("AptPackages", "`withAptPackages`: apt packages.", {
    packages: req(z.array(z.string()), "Debian package names."),
    secretMounts: opt(z.array(SecretMount), "Build-time secrets of this step."),
});

export const PipPackages = object("PipPackages", "`withPipPackages`: pip requirements installed into /opt/venv.", {
    packages: req(z.array(z.string()), 'Requirement specifiers, e.g. `"torch==2.5.1"`.'),
    ...pipFields,
});

export const Requirements = object("Requirements", "`withRequirements`: a requirements .txt file.", {
    file: req(z.string(), "Path of the requirements file."),
    ...pipFields,
});

export const EnvVar = object(
    "EnvVar",
    "An environment variable (a list keeps the order, which is part of the image tag).",
    {
        name: req(z.string(), "Variable name."),
        value: req(z.string(), "Value."),
    },
);

export const ImageCommands = object("ImageCommands", "`withCommands`: shell commands, one RUN each.", {
    commands: req(z.array(z.string()), "Commands."),
    secretMounts: opt(z.array(SecretMount), "Build-time secrets of these steps."),
});

export const SourceFiles = object("SourceFiles", "`withSourceFile`: local files copied into the image.", {
    src: req(z.array(z.string()), "Local file paths."),
    dst: opt(z.string(), "Destination in the image (default `.`, the workdir)."),
});

export const SourceFolder = object(
    "SourceFolder",
    "`withSourceFolder`: a local folder copied into the image, honouring .dockerignore.",
    {
        src: req(z.string(), "Local folder."),
        dst: opt(z.string(), "Destination (default `./<folder name>`)."),
        copyContentsOnly: opt(z.boolean(), "Copy the folder's contents into `dst` rather than the folder itself."),
    },
);

export const LocalV2 = object("LocalV2", "`withLocalV2`: locally built flyte wheels.", {
    distDir: opt(z.string(), "Folder of built wheels (default `dist`)."),
});

export const DockerLines = object(
    "DockerLines",
    "flyte-sdk's raw Dockerfile lines (its default images' LABELs), so an image flyte-sdk made is reproduced layer for layer; only LABEL lines.",
    { lines: req(z.array(z.string()), "The lines, each `LABEL key=value ...`.") },
);

export const UvScriptLayer = object(
    "UvScriptLayer",
    "The dependencies of a uv script's `# /// script` block (flyte-sdk's `UVScript` layer, which `fromUvScript` puts on Flyte's Debian base).",
    { script: req(z.string(), "Path of the .py script."), ...pipFields },
);

export const ImageLayer = object(
    "ImageLayer",
    "One step of an image definition, in order: exactly one field is set, named after the builder method.",
    {
        clone: opt(ImageClone, "`clone(...)`."),
        aptPackages: opt(AptPackages, "`withAptPackages(...)`."),
        pipPackages: opt(PipPackages, "`withPipPackages(...)`."),
        requirements: opt(Requirements, "`withRequirements(...)`."),
        envVars: opt(z.array(EnvVar), "`withEnvVars(...)`, in order."),
        commands: opt(ImageCommands, "`withCommands(...)`."),
        workdir: opt(z.string(), "`withWorkdir(...)`."),
        sourceFile: opt(SourceFiles, "`withSourceFile(...)`."),
        sourceFolder: opt(SourceFolder, "`withSourceFolder(...)`."),
        dockerignore: opt(z.string(), "`withDockerignore(...)`: path of a .dockerignore file."),
        localV2: opt(LocalV2, "`withLocalV2(...)`."),
        dockerLines: opt(
            DockerLines,
            "flyte-sdk's default-image LABEL lines (what the flyte_pulumi companion maps `_DockerLines` to).",
        ),
        uvScript: opt(UvScriptLayer, "A uv script's dependencies as a layer (flyte-sdk's `UVScript`)."),
    },
);

export const Image = object(
    "Image",
    "A container image as data: one source (`fromDebianBase`, `fromBase`, `fromDockerfile` or `fromUvScript`) and the layers added on top. The tag is flyte-sdk's content hash, the same as the TypeScript builder's and flyte-sdk's for the same definition. Relative paths are resolved from `baseDir`, else from the program's directory.",
    {
        fromDebianBase: opt(DebianBaseImage, "Flyte's default image (also the default when no source is given)."),
        fromBase: opt(z.string(), 'A published image used as is until cloned, e.g. `"ghcr.io/acme/base:1.0"`.'),
        fromDockerfile: opt(DockerfileImage, "Your own Dockerfile."),
        fromUvScript: opt(UvScriptImage, "A uv script's dependencies."),
        layers: opt(z.array(ImageLayer), "Steps added on top, in order."),
        baseDir: opt(
            z.string(),
            "Directory relative local paths are resolved from (default: the program's directory).",
        ),
        flyteUri: opt(
            z.string(),
            "The URI flyte-sdk computed for the same image (`image.uri`); the preview fails if this definition gives another. The flyte_pulumi companion sets it.",
        ),
    },
);

export const RegistryCredentials = object("RegistryCredentials", "Credentials for the registry lookup.", {
    username: req(z.string(), "User name."),
    password: req(secret(input(z.string())), "Password or token (kept secret)."),
});

const imageBuildFields = {
    baseImageMirrors: opt(
        z.record(z.string()),
        'Public base image -> local mirror, e.g. `{ "python:3.11-slim-bookworm": "127.0.0.1:30000/library/python:3.11-slim-bookworm" }` (default: the JSON file named by $PULUMI_FLYTE_BASE_IMAGES, if set).',
    ),
    network: opt(
        NetworkMode,
        "Network of RUN steps: `default`, `host` (to reach package mirrors) or `none` (default: the `flyte:buildNetwork` config).",
    ),
    secretValues: opt(
        secret(z.record(input(z.string()))),
        "Values of build secrets by id (`<GROUP>_<KEY>` upper-cased, as Flyte); unset ones come from the environment variable of that name (as flyte-sdk). Kept secret.",
    ),
    skipExisting: opt(
        z.boolean(),
        "Skip the build when the tag already exists in the registry (default true; false under Pulumi's mocks, so unit tests never reach a registry).",
    ),
    workDir: opt(
        z.string(),
        "Where build contexts are assembled (default $PULUMI_FLYTE_BUILD_WORKDIR, else <tmpdir>/pulumi-flyte).",
    ),
    builder: opt(
        z.string(),
        "buildx builder name (default $PULUMI_FLYTE_BUILDER, else the provider's choice: an existing docker-container or remote builder, or a new docker-container one).",
    ),
    exec: opt(
        z.boolean(),
        "Run the `docker-buildx` CLI plugin instead of the provider's embedded client (default: $PULUMI_FLYTE_BUILDX_EXEC=1); needed to build with the Docker daemon's own BuildKit (the \"docker\" driver), which the embedded client refuses.",
    ),
    platform: opt(z.string(), 'Target platform of the build, e.g. `"linux/amd64"`.'),
    registryCredentials: opt(
        RegistryCredentials,
        "Credentials for the registry lookup (pushes use the Docker provider's registryAuth).",
    ),
};

export const ImageBuildSettings = object(
    "ImageBuildSettings",
    "How an environment's image is built and pushed.",
    imageBuildFields,
);

// ----------------------------------------------------------------------- tasks, runs

export const TaskOverride = object(
    "TaskOverride",
    "Invocation-level overrides (`task.override(...)`): Flyte's third level.",
    {
        resources: opt(Resources, "Resources of this invocation."),
        envVars: opt(z.record(z.string()), "Environment variables."),
        secrets: opt(z.array(Secret), "Secrets."),
        cache: opt(Cache, "Cache policy."),
        retries: opt(z.number(), "Retries (0 to 100)."),
        timeout: opt(
            z.string(),
            'Timeout of this invocation, e.g. `"6h"`, `"90s"`; `"0"` removes a declared timeout (no timeout, as in Flyte).',
        ),
        reusable: opt(ReusePolicy, "A new reuse policy."),
        reusableOff: opt(
            z.boolean(),
            'Run this invocation without reuse (Flyte\'s `reusable="off"`); needed to override resources, env vars or secrets of a reusable environment.',
        ),
        podTemplate: opt(PodTemplate, "Base pod template."),
        queue: opt(
            z.string(),
            "The Kueue LocalQueue its runs wait in (the `kueue.x-k8s.io/queue-name` label; declare it with a Queue).",
        ),
        interruptible: opt(z.boolean(), "Run on spot capacity."),
    },
);

export const TaskRun = object("TaskRun", "One invocation of a task: a batch/v1 Job, or a CronJob with `schedule`.", {
    name: req(z.string(), "Run name (snake_case or kebab-case)."),
    command: opt(z.array(z.string()), "Container command (default: the image's entrypoint)."),
    args: opt(z.array(z.string()), "Container arguments."),
    schedule: opt(z.string(), 'Cron schedule (e.g. `"0 3 * * *"`): a CronJob instead of a Job.'),
    timeZone: opt(z.string(), "Time zone of the schedule."),
    ttlSecondsAfterFinished: opt(z.number(), "Seconds a finished Job is kept."),
    suspend: opt(z.boolean(), "Suspend the Job or CronJob."),
    wait: opt(
        z.boolean(),
        "`pulumi up` waits for the Job to complete and fails with the pod's last log lines if it fails (not for scheduled runs).",
    ),
    waitTimeout: opt(z.string(), 'How long to wait, e.g. `"10m"` (implies `wait`).'),
    waitLogLines: opt(z.number(), "Log lines shown when the Job fails (implies `wait`)."),
    labels: opt(z.record(z.string()), "Labels of the run's Job (or CronJob) and its pods."),
    annotations: opt(z.record(z.string()), "Annotations of the run's Job (or CronJob) and its pods."),
    description: opt(z.string(), "What the run is for (at most 255 characters): an annotation."),
    override: opt(TaskOverride, "Overrides applied to this run."),
});

export const Task = object(
    "Task",
    "A task of the environment (Flyte's `@env.task`): its own PodTemplate, and its runs.",
    {
        name: req(z.string(), "Task name (snake_case or kebab-case)."),
        shortName: opt(z.string(), "A shorter name used for its objects."),
        cache: opt(Cache, "Cache policy."),
        retries: opt(z.number(), "Retries (0 to 100)."),
        timeout: opt(z.string(), 'Timeout, e.g. `"6h"`, `"90s"`; `"0"` or none is no timeout, as in Flyte.'),
        interruptible: opt(z.boolean(), "Run on spot capacity."),
        podTemplate: opt(PodTemplate, "Base pod template of this task (not on reusable environments)."),
        queue: opt(
            z.string(),
            "The Kueue LocalQueue its runs wait in (the `kueue.x-k8s.io/queue-name` label; declare it with a Queue).",
        ),
        docs: opt(z.string(), "Documentation."),
        runs: opt(z.array(TaskRun), "Invocations: Jobs, or CronJobs when scheduled."),
    },
);

// ------------------------------------------------------------------------- queues

export const QueueingStrategy = enumOf(
    "QueueingStrategy",
    "How a ClusterQueue orders its workloads: `BestEffortFIFO` (one that does not fit does not block the next) or `StrictFIFO`.",
    ["BestEffortFIFO", "StrictFIFO"] as const,
);

export const QueueStopPolicy = enumOf(
    "QueueStopPolicy",
    "`None` admits; `Hold` stops admitting (admitted workloads finish); `HoldAndDrain` also evicts them.",
    ["None", "Hold", "HoldAndDrain"] as const,
);

export const ReclaimWithinCohort = enumOf(
    "ReclaimWithinCohort",
    "Whether a queue preempts workloads of its cohort that borrow its quota: `Never`, `LowerPriority`, `Any`.",
    ["Never", "LowerPriority", "Any"] as const,
);

export const BorrowWithinCohortPolicy = enumOf(
    "BorrowWithinCohortPolicy",
    "Whether a queue preempts in its cohort to borrow: `Never` or `LowerPriority`.",
    ["Never", "LowerPriority"] as const,
);

export const WithinClusterQueue = enumOf(
    "WithinClusterQueue",
    "Whether a pending workload preempts admitted ones of its queue: `Never`, `LowerPriority`, `LowerOrNewerEqualPriority`.",
    ["Never", "LowerPriority", "LowerOrNewerEqualPriority"] as const,
);

export const FungibilityPolicy = enumOf(
    "FungibilityPolicy",
    "`MayStopSearch` (take this flavour) or `TryNextFlavor` (look at the next flavours first).",
    ["MayStopSearch", "TryNextFlavor"] as const,
);

export const QueueQuota = object(
    "QueueQuota",
    "Amounts of each resource in the units pods request them (Kueue's quota of a flavour).",
    {
        cpu: opt(z.string(), 'Cores (`"96"`, `"0.5"`) or a quantity (`"500m"`).'),
        memory: opt(z.string(), 'A quantity such as `"1Ti"`.'),
        gpu: opt(
            z.number(),
            "Units of the flavour's accelerator resource: GPUs, MIG slices, TPU chips, Neuron devices (or cores).",
        ),
        disk: opt(z.string(), "Ephemeral storage, a quantity."),
        pods: opt(z.number(), "Number of pods."),
    },
);

export const QueueFlavor = object(
    "QueueFlavor",
    "One kind of node a queue offers, with its quota: a Kueue ResourceFlavor whose node labels and taints come from the profile and the device catalogue.",
    {
        name: opt(
            z.string(),
            "The ResourceFlavor's name (default from profile, device and capacity, e.g. `gke-a100-80g`).",
        ),
        gpu: opt(
            z.string(),
            'The accelerator of its nodes, a device name such as `"A100 80G"` (or use `device`); none: CPU-only nodes.',
        ),
        device: opt(
            Device,
            "The accelerator as data: a MIG slice or a TPU topology (instead of `gpu`; its quantity is ignored).",
        ),
        interruptible: opt(z.boolean(), "Spot / preemptible nodes (the profile's spot labels and taints)."),
        nodeLabels: opt(
            z.record(z.string()),
            "More labels its nodes carry (a node pool, a zone), or the one value of a device label with several.",
        ),
        quota: req(QueueQuota, "What the queue may use of it (Kueue's nominal quota)."),
        borrowingLimit: opt(QueueQuota, "At most this much more borrowed from the cohort (needs `cohort`)."),
        lendingLimit: opt(QueueQuota, "At most this much of the quota lent to the cohort (needs `cohort`)."),
    },
);

export const BorrowWithinCohort = object("BorrowWithinCohort", "Preemption in the cohort to borrow.", {
    policy: req(BorrowWithinCohortPolicy, "`Never` or `LowerPriority`."),
    maxPriorityThreshold: opt(z.number(), "Only workloads up to this priority are preempted."),
});

export const QueuePreemption = object("QueuePreemption", "Kueue's preemption settings of the ClusterQueue.", {
    reclaimWithinCohort: opt(ReclaimWithinCohort, "Preempt cohort workloads that borrow this queue's quota."),
    borrowWithinCohort: opt(BorrowWithinCohort, "Preempt in the cohort to borrow."),
    withinClusterQueue: opt(WithinClusterQueue, "Preempt workloads of this queue for a pending one."),
});

export const FlavorFungibility = object(
    "FlavorFungibility",
    "Whether admission tries the next flavour before borrowing or preempting in one.",
    {
        whenCanBorrow: opt(FungibilityPolicy, "Default `MayStopSearch`."),
        whenCanPreempt: opt(FungibilityPolicy, "Default `TryNextFlavor`."),
    },
);

// ------------------------------------------------------------------------- components

/** Arguments of the `TaskEnvironment` component. */
export const TaskEnvironmentArgs = z
    .object({
        image: opt(
            Image,
            "The image, built and pushed by a child ImageBuild. Default (with no `imageRef`): Flyte's default image.",
        ),
        imageRef: opt(
            input(z.string()),
            "An image reference instead of `image`: a published image, another ImageBuild's `ref`, or `\"auto\"` (Flyte's default image).",
        ),
        imageBuild: opt(ImageBuildSettings, "Build settings when `image` is given."),
        namespace: opt(
            input(z.string()),
            "Namespace of the objects (default: the `flyte:namespace` config, else the provider's).",
        ),
        profile: opt(ProfileName, "Cluster flavour (default: the `flyte:profile` config, else `flyte`)."),
        customProfile: opt(CustomProfile, "A cluster flavour of your own, instead of `profile`."),
        migStrategy: opt(
            MigStrategy,
            "NVIDIA MIG strategy (default: the `flyte:migStrategy` config, else the profile's).",
        ),
        deviceAllocation: opt(
            DeviceAllocation,
            "Extended resources or DRA claims for the accelerator (default: the `flyte:deviceAllocation` config, else the profile's, else `extended`).",
        ),
        resources: opt(Resources, "Compute resources and accelerators."),
        envVars: opt(z.record(z.string()), "Environment variables of the primary container."),
        secrets: opt(z.array(Secret), "Secrets the tasks read, as env vars or files."),
        cache: opt(Cache, "Cache policy (default disable)."),
        reusable: opt(ReusePolicy, "Reuse warm containers across tasks (a warm pool)."),
        interruptible: opt(z.boolean(), "Run on spot / preemptible capacity."),
        podTemplate: opt(PodTemplate, "A base pod template merged under what the environment sets."),
        description: opt(z.string(), "Description (at most 255 characters)."),
        queue: opt(
            z.string(),
            "The Kueue LocalQueue its runs wait in (the `kueue.x-k8s.io/queue-name` label; declare it with a Queue).",
        ),
        warmPoolCommand: opt(z.array(z.string()), "Command of the warm-pool containers of a reusable environment."),
        tasks: opt(z.array(Task), "Tasks of the environment, each with its PodTemplate and runs."),
    })
    .strict();

/** Arguments of the `ImageBuild` component. */
export const ImageBuildArgs = z
    .object({
        image: req(Image, "The image to build and push."),
        ...imageBuildFields,
    })
    .strict();

/** Arguments of the `SecretStore` component. */
export const SecretStoreArgs = z
    .object({
        namespace: opt(
            input(z.string()),
            "Namespace of the Secrets (the one the environments run in); default: the `flyte:namespace` config, else the provider's.",
        ),
        groups: req(
            secret(z.record(z.record(input(z.string())))),
            'Values by group, then key: `{"wandb": {"api-key": <secret>}}`. Secrets without a group live in `flyte-secrets`. Every value is kept secret.',
        ),
        labels: opt(z.record(z.string()), "Extra labels for every Secret."),
    })
    .strict();

/** Arguments of the `Queue` component. */
export const QueueArgs = z
    .object({
        name: opt(
            z.string(),
            "The LocalQueues' name: what environments, tasks and runs give as `queue` (default: the component's name).",
        ),
        clusterQueue: opt(z.string(), "The ClusterQueue's name (default: the queue's name)."),
        namespaces: opt(
            z.array(input(z.string())),
            "Namespaces that get the queue's LocalQueue (default: the `flyte:namespace` config, else the provider's).",
        ),
        profile: opt(
            ProfileName,
            "Cluster flavour the flavours' node labels come from (default: the `flyte:profile` config, else `flyte`).",
        ),
        customProfile: opt(CustomProfile, "A cluster flavour of your own, instead of `profile`."),
        migStrategy: opt(
            MigStrategy,
            "NVIDIA MIG strategy (default: the `flyte:migStrategy` config, else the profile's).",
        ),
        flavors: req(z.array(QueueFlavor), "The kinds of nodes the queue offers, in the order Kueue tries them."),
        cohort: opt(z.string(), "Queues of one cohort lend each other unused quota."),
        preemption: opt(QueuePreemption, "Preemption settings."),
        queueingStrategy: opt(QueueingStrategy, "Default `BestEffortFIFO`."),
        stopPolicy: opt(QueueStopPolicy, "Default `None`."),
        flavorFungibility: opt(
            FlavorFungibility,
            "Whether admission tries the next flavour before borrowing or preempting.",
        ),
    })
    .strict();

/** The components of the package and their argument schemas (their documentation is the provider classes'). */
export const COMPONENTS = {
    TaskEnvironment: { args: TaskEnvironmentArgs },
    ImageBuild: { args: ImageBuildArgs },
    SecretStore: { args: SecretStoreArgs },
    Queue: { args: QueueArgs },
} as const;

export type ImageSpec = z.infer<typeof Image>;
export type ImageLayerSpec = z.infer<typeof ImageLayer>;
export type ResourcesSpec = z.infer<typeof Resources>;
export type SecretSpec = z.infer<typeof Secret>;
export type SecretMountSpec = z.infer<typeof SecretMount>;
export type TaskSpec = z.infer<typeof Task>;
export type TaskRunSpec = z.infer<typeof TaskRun>;
export type TaskOverrideSpec = z.infer<typeof TaskOverride>;
export type CacheSpec = z.infer<typeof Cache>;
export type ReusePolicySpec = z.infer<typeof ReusePolicy>;
export type PodTemplateSpecData = z.infer<typeof PodTemplate>;
export type TaskEnvironmentSpec = z.infer<typeof TaskEnvironmentArgs>;
export type ImageBuildSpec = z.infer<typeof ImageBuildArgs>;
export type SecretStoreSpec = z.infer<typeof SecretStoreArgs>;
export type QueueSpec = z.infer<typeof QueueArgs>;
export type QueueFlavorSpec = z.infer<typeof QueueFlavor>;
