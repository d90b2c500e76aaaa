// The quickstart's task environments as data: what each needs, per cluster flavour.
// The program turns every row into a TaskEnvironment; the end-to-end tests render the
// same rows with renderPodTemplate and check the cluster against them.
import * as flyte from "pulumi-flyte";

export interface QuickstartOptions {
    /** GPUs of the "train" environment (A100 80GB). */
    trainGpus: number;
    /** GPUs of the "evaluate" environment (GKE only). */
    evaluateGpus: number;
}

export interface EnvironmentRow {
    name: string;
    resources: flyte.ResourcesArgs;
    secrets?: flyte.Secret[];
    envVars?: Record<string, string>;
    interruptible?: boolean;
    /** The local platform's node the real scheduler should choose (platform/nodes.yaml). */
    expectedNode: string;
}

export const wandb = new flyte.Secret({ group: "wandb", key: "api-key" });
/** The same secret as a file: /etc/flyte/secrets/wandb/api-key. */
export const wandbFile = new flyte.Secret({ group: "wandb", key: "api-key", mount: flyte.SECRET_MOUNT_PATH });

/** The local platform's one real node (kubelet + containerd): CPU tasks land and run there. */
export const REAL_NODE = "worker";
export const pypiToken = new flyte.Secret({ group: "pypi", key: "token" });

/**
 * The one image of every environment. Its tag is flyte-sdk's content hash: nothing
 * rebuilds unless the definition changes, and the Python and YAML quickstarts, which
 * define the same image as data, get the same tag. The PyPI token is a BuildKit secret
 * of the pip step, never a layer.
 */
export function quickstartImage(registry: string | undefined, pipPackages: string[]): flyte.Image {
    return flyte.Image.fromDebianBase({ python: "3.11", registry, name: "quickstart" })
        .withAptPackages("curl")
        .withPipPackages({ packages: pipPackages, secretMounts: [pypiToken] })
        .withEnvVars({ PYTHONUNBUFFERED: "1" });
}

export function environmentsFor(profile: flyte.BuiltinProfileName, o: QuickstartOptions): EnvironmentRow[] {
    const common: EnvironmentRow[] = [
        { name: "prep", resources: { cpu: "1", memory: "4Gi" }, expectedNode: REAL_NODE },
        {
            name: "train",
            resources: { cpu: "8", memory: "64Gi", shm: "auto", gpu: `A100_80G:${o.trainGpus}` },
            secrets: [wandb],
            expectedNode: `${profile}-a100-80gb`,
        },
    ];
    switch (profile) {
        case "gke":
            return [
                ...common,
                {
                    name: "evaluate",
                    resources: { cpu: "4", memory: "16Gi", gpu: `A100:${o.evaluateGpus}` },
                    expectedNode: "gke-a100-40gb",
                },
                {
                    name: "serve",
                    resources: { cpu: "16", memory: "128Gi", gpu: "H100:8" },
                    secrets: [wandb],
                    expectedNode: "gke-h100-80gb",
                },
                {
                    name: "notebook",
                    resources: { cpu: "2", memory: "8Gi", gpu: flyte.GPU({ device: "A100", partition: "1g.5gb" }) },
                    expectedNode: "gke-a100-mig-1g5gb",
                },
                {
                    name: "pretrain",
                    resources: { cpu: "32", memory: "256Gi", gpu: flyte.TPU({ device: "V5P", partition: "2x2x1" }) },
                    expectedNode: "gke-tpu-v5p-2x2x1",
                },
                {
                    name: "tune",
                    resources: { cpu: "32", memory: "256Gi", gpu: flyte.TPU({ device: "V6E", partition: "2x4" }) },
                    expectedNode: "gke-tpu-v6e-2x4",
                },
                {
                    name: "sweep",
                    resources: { cpu: "4", memory: "8Gi" },
                    interruptible: true,
                    expectedNode: "gke-spot",
                },
            ];
        case "eks":
            return [
                ...common,
                {
                    name: "infer",
                    resources: { cpu: "8", memory: "32Gi", gpu: flyte.Neuron({ device: "Inf2", quantity: 6 }) },
                    expectedNode: "eks-inf2",
                },
                {
                    name: "sweep",
                    resources: { cpu: "4", memory: "8Gi" },
                    interruptible: true,
                    expectedNode: "eks-spot",
                },
            ];
        default:
            return common;
    }
}

/**
 * The smoke environment: its task runs tasks/report.py, which reports what a deployed
 * task sees (packages, the wandb secret as env var and as file, WANDB_PROJECT, the
 * working directory, the size of /dev/shm). Not one of environmentsFor's rows: the
 * Python and YAML quickstarts, which mirror those rows, do not run it.
 */
export const smokeEnvironment: EnvironmentRow = {
    name: "smoke",
    resources: { cpu: "500m", memory: "256Mi", shm: "64Mi" },
    secrets: [wandb, wandbFile],
    envVars: { WANDB_PROJECT: "quickstart" },
    expectedNode: REAL_NODE,
};
