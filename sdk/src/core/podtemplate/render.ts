import { Environment, EnvironmentArgs, ImageInput, normalizeEnvironment } from "../environment-settings";
import { ValidationError } from "../errors";
import { kubernetesName, labelValue } from "../names";
import { placeDevicesWithDra } from "../placement/dra";
import { DeviceAllocation, MigStrategy, SchedulingProfile } from "../placement/profile";
import { combinePlacements, placeCapacity, placeDevice } from "../placement/place";
import { ProfileInput, resolveProfile } from "../placement/resolve";
import { Placement } from "../placement/types";
import { TaskOptions, TaskSettings, TaskTemplate, environmentSettings } from "../task-template";
import { PodContribution, mergePod, normalizeBase, withMetadata } from "./merge";
import { SECRET_FS_GROUP, SecretWiring, wireSecrets } from "./secret-wiring";
import { EnvVar, PodTemplate, ResourceClaimTemplate, Volume, VolumeMount } from "./kube-types";
import { QUEUE_NAME_LABEL } from "../queue/kueue";

export const LABEL_PREFIX = "pulumi-flyte.io";
export const ANNOTATIONS = {
    interruptible: `${LABEL_PREFIX}/interruptible`,
    profile: `${LABEL_PREFIX}/profile`,
    tpuHosts: `${LABEL_PREFIX}/tpu-hosts`,
    cache: `${LABEL_PREFIX}/cache`,
    cacheVersion: `${LABEL_PREFIX}/cache-version`,
    description: `${LABEL_PREFIX}/description`,
    retries: `${LABEL_PREFIX}/retries`,
    timeout: `${LABEL_PREFIX}/timeout-seconds`,
    reusable: `${LABEL_PREFIX}/reusable`,
} as const;
export const LABELS = {
    managedBy: "app.kubernetes.io/managed-by",
    environment: `${LABEL_PREFIX}/environment`,
    task: `${LABEL_PREFIX}/task`,
} as const;

export interface PodTemplateRenderOptions {
    /** Cluster flavour (default "flyte", the Flyte backend's labels). */
    profile?: ProfileInput;
    /** NVIDIA MIG device-plugin strategy (default: the profile's). */
    migStrategy?: MigStrategy;
    /** Extended resources or DRA claims (default: the profile's, else extended resources). */
    deviceAllocation?: DeviceAllocation;
    /** Render the template of this task (a TaskTemplate, or a name with task options). */
    task?: TaskTemplate | ({ name: string } & TaskOptions);
    /** Namespace for the PodTemplate object. */
    namespace?: string;
    /**
     * @internal The environment's image is an Output its caller puts into the pods
     * itself: its primary container gets a stand-in, which the caller replaces.
     */
    imagePending?: boolean;
}

/** The pod's claim of its accelerators (and the suffix of its ResourceClaimTemplate's name). */
export const CLAIM_NAME = "accelerators";

/** Stand-in image while an Output reference resolves (`imagePending`): never in a registered object. */
const PENDING_IMAGE = "pulumi-flyte.invalid/pending-image:0";

/** Everything the renderer decided, for components that need more than the object. */
export interface Rendered {
    readonly podTemplate: PodTemplate;
    /** The ResourceClaimTemplate the pod's accelerator claim is made from (deviceAllocation "dra"). */
    readonly claimTemplate?: ResourceClaimTemplate;
    readonly placement: Placement;
    readonly settings: TaskSettings;
    readonly name: string;
    /** Name of the container the environment configures ("primary" unless the base template says otherwise). */
    readonly primaryContainerName: string;
    /** The profile it was rendered for. */
    readonly profile: SchedulingProfile;
}

/**
 * The pure expansion of an environment (or one of its tasks) into a v1 PodTemplate:
 * primary container "primary" with image, env, secrets and resources; node
 * selectors, affinity and tolerations from the profile; merged into the base pod
 * template when one is given.
 */
export function renderPodTemplate(
    environment: EnvironmentArgs | Environment,
    options: PodTemplateRenderOptions = {},
): PodTemplate {
    return render(environment, options).podTemplate;
}

export function render(environment: EnvironmentArgs | Environment, options: PodTemplateRenderOptions = {}): Rendered {
    const env = isNormalized(environment) ? environment : normalizeEnvironment(environment);
    const profile = resolveProfile(options.profile);
    const task = taskOf(env, options.task);
    const settings = task ? task.settings : environmentSettings(env);

    const name = task ? kubernetesName(env.name, task.name) : kubernetesName(env.name);
    const accelerator = placeAccelerator(profile, settings, options, name);
    const placement = combinePlacements(accelerator.placement, placeCapacity(profile, settings.interruptible));
    const claimTemplate = accelerator.claimTemplate;
    const secrets = wireSecrets(settings.secrets);
    const env_ = containerEnv(settings.envVars, secrets);

    const { volumes, volumeMounts } = podVolumes(secrets, settings.resources?.sharedMemory);

    const q = settings.resources?.quantities;
    const requests = { ...(q?.requests ?? {}), ...placement.resources };
    const limits = { ...(q?.limits ?? {}), ...placement.resources };

    const labels = podLabels(env, task, settings.queue);
    const annotations = taskAnnotations(settings, profile.name, placement.hosts);
    const base = normalizeBase(settings.podTemplate, task ? "task.podTemplate" : "podTemplate");
    const contribution: PodContribution = {
        primaryContainerName: base.primaryContainerName,
        image: env.image === undefined && options.imagePending ? PENDING_IMAGE : imageUri(env.image, "image"),
        env: env_,
        requests,
        limits,
        volumeMounts,
        volumes,
        placement,
        labels,
        annotations,
        ...(claimTemplate ? { claim: { name: CLAIM_NAME, templateName: claimTemplate.metadata.name } } : {}),
    };
    const template = mergePod(base.spec, contribution, task ? "task.podTemplate" : "podTemplate");
    // secret files are group-readable: the pod's fsGroup makes them readable by a non-root task (a base's own fsGroup wins)
    const securityContext = (template.spec.securityContext ?? {}) as { fsGroup?: number };
    if (secrets.volumes.length && securityContext.fsGroup === undefined)
        template.spec.securityContext = { ...securityContext, fsGroup: SECRET_FS_GROUP };
    if (claimTemplate) claimTemplate.metadata.labels = { ...labels };
    const podTemplate: PodTemplate = {
        apiVersion: "v1",
        kind: "PodTemplate",
        metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels: { ...labels } },
        template,
    };
    return {
        podTemplate,
        ...(claimTemplate ? { claimTemplate } : {}),
        placement,
        settings,
        name,
        primaryContainerName: base.primaryContainerName,
        profile,
    };
}

/**
 * `render(env, { ...options, task })` for a task (or a run's task with its overrides)
 * given its environment's render with the same options: a task that keeps its
 * environment's pod settings (resources, env vars, secrets, pod template,
 * interruptible) has its environment's pod spec, which is shared, not made again
 * (rendered objects are never changed once rendered); only its names, labels and
 * annotations are its own. Any other task, and any pod with a DRA claim (its claim
 * template is named after the task), is rendered in full.
 */
export function renderTask(
    environmentRender: Rendered,
    env: Environment,
    options: PodTemplateRenderOptions & { task: TaskTemplate },
): Rendered {
    const task = options.task;
    const s = task.settings;
    const e = environmentRender.settings;
    const samePod =
        task.environment === env &&
        !environmentRender.claimTemplate &&
        s.resources === e.resources &&
        s.envVars === e.envVars &&
        s.secrets === e.secrets &&
        s.podTemplate === e.podTemplate &&
        s.interruptible === e.interruptible;
    if (!samePod) return render(env, options);
    const { placement, profile, primaryContainerName } = environmentRender;
    const labels = podLabels(env, task, s.queue);
    const annotations = taskAnnotations(s, profile.name, placement.hosts);
    const base = normalizeBase(s.podTemplate, "task.podTemplate");
    const template = withMetadata(base.spec, { labels, annotations }, environmentRender.podTemplate.template.spec);
    const name = kubernetesName(env.name, task.name);
    const podTemplate: PodTemplate = {
        apiVersion: "v1",
        kind: "PodTemplate",
        metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels: { ...labels } },
        template,
    };
    return { podTemplate, placement, settings: s, name, primaryContainerName, profile };
}

/**
 * Where and with what the accelerator is asked for: extended resources and node labels
 * (placeDevice), or with deviceAllocation "dra" a claim from a ResourceClaimTemplate
 * named after the pod template (placeDevicesWithDra).
 */
function placeAccelerator(
    profile: SchedulingProfile,
    settings: TaskSettings,
    options: PodTemplateRenderOptions,
    name: string,
): { placement: Placement; claimTemplate?: ResourceClaimTemplate } {
    const devices = settings.resources?.devices ?? [];
    const field = `${settings.resourcesField ?? "resources"}.gpu`;
    const allocation = options.deviceAllocation ?? profile.deviceAllocation ?? "extended";
    if (allocation === "dra" && devices.length) {
        const dra = placeDevicesWithDra(profile, devices, field);
        return {
            placement: dra.placement,
            claimTemplate: {
                apiVersion: "resource.k8s.io/v1",
                kind: "ResourceClaimTemplate",
                metadata: {
                    name: `${name}-${CLAIM_NAME}`,
                    ...(options.namespace ? { namespace: options.namespace } : {}),
                },
                spec: { spec: dra.claim },
            },
        };
    }
    if (devices.length > 1)
        throw new ValidationError(
            field,
            settings.resources!.gpu,
            `acceptable alternatives become a DRA claim's firstAvailable: set deviceAllocation "dra" (the environment's, its profile's or flyte:deviceAllocation); with extended resources a pod asks for one accelerator`,
        );
    return { placement: placeDevice(profile, devices[0], { migStrategy: options.migStrategy, field }) };
}

/** The primary container's environment: the settings' variables, then the secrets'; a name set twice is an error. */
function containerEnv(envVars: Readonly<Record<string, string>>, secrets: SecretWiring): EnvVar[] {
    const env: EnvVar[] = [...Object.entries(envVars).map(([name, value]) => ({ name, value })), ...secrets.env];
    checkUniqueEnv(env);
    return env;
}

/** The labels of an environment's or task's pods and PodTemplate. */
function podLabels(
    env: Environment,
    task: TaskTemplate | undefined,
    queue: string | undefined,
): Record<string, string> {
    return {
        [LABELS.managedBy]: "pulumi-flyte",
        // label values are at most 63 characters: long names keep a prefix and a hash
        [LABELS.environment]: labelValue(env.name),
        ...(task ? { [LABELS.task]: labelValue(task.name) } : {}),
        // Kueue's LocalQueue: on the pods (a Flyte backend makes pods from this template) and on the runs' Jobs
        ...(queue ? { [QUEUE_NAME_LABEL]: queue } : {}),
    };
}

/** The task being rendered, if any: one of this environment's, or declared from its options. */
function taskOf(env: Environment, task: PodTemplateRenderOptions["task"]): TaskTemplate | undefined {
    if (task instanceof TaskTemplate) {
        if (task.environment.name !== env.name) {
            throw new ValidationError(
                "task",
                task.fullName,
                `belongs to environment "${task.environment.name}", not "${env.name}"`,
            );
        }
        return task;
    }
    if (task === undefined) return undefined;
    const { name, ...taskOptions } = task;
    return new TaskTemplate(env, name, taskOptions);
}

/** The primary container's volumes and mounts: secret files, and /dev/shm when shared memory is asked for. */
function podVolumes(
    secrets: SecretWiring,
    shm: { readonly sizeLimit?: string } | undefined,
): { volumes: Volume[]; volumeMounts: VolumeMount[] } {
    const volumes: Volume[] = [...secrets.volumes];
    const volumeMounts: VolumeMount[] = [...secrets.volumeMounts];
    if (shm) {
        volumes.push({
            name: "flyte-shm",
            emptyDir: { medium: "Memory", ...(shm.sizeLimit ? { sizeLimit: shm.sizeLimit } : {}) },
        });
        volumeMounts.push({ name: "flyte-shm", mountPath: "/dev/shm" });
    }
    return { volumes, volumeMounts };
}

function isNormalized(e: EnvironmentArgs | Environment): e is Environment {
    return Object.isFrozen(e) && Array.isArray((e as Environment).secrets);
}

function imageUri(image: ImageInput | undefined, field: string): string {
    if (image === undefined)
        throw new ValidationError(
            field,
            undefined,
            "an image is required: an Image (e.g. Image.fromDebianBase()) or an image reference string",
        );
    return typeof image === "string" ? image : image.uri;
}

function checkUniqueEnv(env: EnvVar[]): void {
    const seen = new Set<string>();
    for (const e of env) {
        if (seen.has(e.name)) {
            throw new ValidationError(
                "envVars",
                e.name,
                "each environment variable is set once: a secret's env var name collides with envVars or another secret (use asEnvVar to rename)",
            );
        }
        seen.add(e.name);
    }
}

function taskAnnotations(s: TaskSettings, profile: string, hosts: number): Record<string, string> {
    const out: Record<string, string> = { [ANNOTATIONS.profile]: profile };
    if (s.interruptible) out[ANNOTATIONS.interruptible] = "true";
    if (hosts > 1) out[ANNOTATIONS.tpuHosts] = String(hosts);
    if (s.cache.behavior !== "disable") out[ANNOTATIONS.cache] = s.cache.behavior;
    if (s.cache.version) out[ANNOTATIONS.cacheVersion] = s.cache.version;
    if (s.retries > 0) out[ANNOTATIONS.retries] = String(s.retries);
    if (s.timeoutSeconds) out[ANNOTATIONS.timeout] = String(s.timeoutSeconds); // 0: no timeout
    if (s.reusable) out[ANNOTATIONS.reusable] = JSON.stringify(s.reusable);
    return out;
}
