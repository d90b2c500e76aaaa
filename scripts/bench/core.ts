/**
 * Throughput of the pure core (no Pulumi engine): rendering pod templates under every
 * profile, image tags and Dockerfiles, resources. Printed, not reported: nobody waits
 * on microseconds; the sections B1–B5 measure what users wait on.
 */
import { performance } from "perf_hooks";
import { GPU, Image, PROFILE_NAMES, Resources, Secret, TPU, renderPodTemplate } from "../../sdk/src";

function bench(name: string, fn: () => unknown, minMs = 1000): void {
    for (let i = 0; i < 200; i++) fn(); // warm up
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minMs) {
        for (let i = 0; i < 100; i++) fn();
        n += 100;
        elapsed = performance.now() - start;
    }
    console.log(`${name.padEnd(58)} ${(n / (elapsed / 1000)).toFixed(0).padStart(9)} ops/s  ${((elapsed * 1000) / n).toFixed(1).padStart(8)} µs/op`);
}

export async function core(): Promise<void> {
    const wandb = new Secret({ group: "wandb", key: "api-key" });
    const envs = [
        { name: "cpu", image: "r/x@sha256:1", resources: { cpu: "2", memory: "4Gi" } },
        { name: "gpu", image: "r/x@sha256:1", resources: { cpu: "8", memory: "64Gi", shm: "auto" as const, gpu: "A100_80G:4" }, secrets: [wandb] },
        { name: "mig", image: "r/x@sha256:1", resources: { gpu: GPU({ device: "A100", partition: "1g.5gb" }) } },
    ];
    for (const profile of PROFILE_NAMES) {
        bench(`renderPodTemplate (3 environments, profile ${profile})`, () => envs.forEach((e) => renderPodTemplate(e, { profile })));
    }
    bench("renderPodTemplate (TPU v5p 4x4x4, gke)", () => renderPodTemplate({ name: "tpu", image: "r/x:1", resources: { gpu: TPU({ device: "V5P", partition: "4x4x4" }) } }, { profile: "gke" }));
    bench("renderPodTemplate with base template merge (eks)", () => renderPodTemplate({
        name: "m", image: "r/x:1", resources: { gpu: "A100:1" },
        podTemplate: { podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Exists" }] }, { matchExpressions: [{ key: "b", operator: "Exists" }] }] } } } } },
    }, { profile: "eks" }));
    bench("new Resources (cpu pair, memory, disk, shm, GPU string)", () => new Resources({ cpu: [1, 4], memory: "8Gi", disk: "100Gi", shm: "16Gi", gpu: "H100:8" }));
    const image = Image.fromDebianBase({ python: "3.11", registry: "localhost:30000", name: "bench" })
        .withAptPackages("git", "curl").withPipPackages("torch==2.5.1", "numpy").withEnvVars({ A: "1" });
    bench("Image chain (fromDebianBase + 3 layers) + tag", () =>
        Image.fromDebianBase({ python: "3.11", registry: "localhost:30000", name: "bench" }).withAptPackages("git").withPipPackages("numpy").withEnvVars({ A: "1" }).tag);
    bench("renderDockerfile (4 layers)", () => image.renderDockerfile());
}
