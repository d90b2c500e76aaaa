/**
 * Prints, per environment and task of a deployed quickstart stack: the image digest,
 * the node(s) the scheduling check predicted at preview (output `placements`),
 * the PodTemplate, and the node the real kube-scheduler binds a pod made from it to;
 * then, last, the smoke task's own report: the JSON line that
 * examples/quickstart/tasks/report.py printed when its Job ran on the platform's real
 * node (read from the pod's log).
 */
import { execFileSync } from "child_process";
import { kubeClient, probeScheduling } from "./lib/kube-client";

async function main(): Promise<void> {
    const stack = process.argv[2] ?? "dev";
    const projectDir = process.argv[3] ?? ".";
    const outputs = JSON.parse(
        execFileSync("pulumi", ["-C", projectDir, "stack", "output", "--json", "--stack", stack]).toString(),
    );
    const kubeconfig = process.env.KUBECONFIG;
    if (!kubeconfig) throw new Error("KUBECONFIG is not set (source scripts/env.sh)");
    const kube = kubeClient(kubeconfig);
    const namespace: string = outputs.namespaceName;
    const templates: Record<string, string> = { ...outputs.podTemplates, ...outputs.taskPodTemplates };
    // what the scheduling check predicted at preview (absent for programs that do not export it)
    // (TypeScript exports the check's reports; the flyte package's programs its `placement` strings)
    const placements: Record<
        string,
        string | { checked: boolean; nodes: string[]; scaleUp: string[]; schedulerMessage?: string; placement: string }
    > = outputs.placements ?? {};
    const predicted = (name: string) => {
        const p = placements[name];
        if (!p) return "-";
        if (typeof p === "string") return p;
        if (!p.checked) return p.placement;
        return p.nodes.length
            ? p.nodes.join(" or ")
            : p.scaleUp.length
              ? `scale up ${p.scaleUp.join(" or ")}`
              : `Pending: ${p.schedulerMessage}`;
    };
    const rows: string[][] = [
        ["environment / task", "pod template", "image", "predicted at preview", "node chosen by kube-scheduler"],
    ];
    for (const [name, template] of Object.entries(templates)) {
        const tpl = await kube.get(`/api/v1/namespaces/${namespace}/podtemplates/${template}`);
        const image: string = tpl.template.spec.containers.find((c: any) => c.name === "primary")?.image ?? "?";
        const result = await probeScheduling(kube, namespace, template, `demo-probe-${template}`);
        rows.push([
            name,
            `${namespace}/${template}`,
            image.replace(/^.*@/, "@"),
            predicted(name),
            result.node ?? `Pending: ${(result.message ?? result.reason ?? "").split(" preemption:")[0]}`,
        ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(
        `\nstack ${stack}: image ${outputs.imageRef} (${outputs.imageBuilt ? "built by this stack" : "reused from the registry"})\n`,
    );
    for (const [i, r] of rows.entries()) {
        console.log(r.map((c, j) => c.padEnd(widths[j])).join("  "));
        if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    }
    console.log(`\nJobs: ${JSON.stringify(outputs.jobs)}`);
    await printTaskReport(kube, namespace, outputs.jobs["smoke.report.once"]);
}

/** The report the smoke task printed (its last JSON line), from its pod's log. */
async function printTaskReport(kube: ReturnType<typeof kubeClient>, namespace: string, job: string): Promise<void> {
    const pods = await kube.list(
        `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`job-name=${job}`)}`,
    );
    const pod = pods.filter((p: any) => p.status?.phase === "Succeeded").pop();
    if (!pod) throw new Error(`the smoke task's Job ${namespace}/${job} has no succeeded pod`);
    const res = await kube.request<string>(
        "GET",
        `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/log?container=primary`,
    );
    if (res.status !== 200) throw new Error(`cannot read the log of ${pod.metadata.name}: HTTP ${res.status}`);
    const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body);
    const line = text
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .pop();
    if (!line) throw new Error(`the smoke task printed no report:\n${text}`);
    console.log(
        `\nThe smoke task ran: Job ${namespace}/${job}, pod ${pod.metadata.name} on node ${pod.spec.nodeName}, image ${pod.spec.containers[0].image}.`,
    );
    console.log("Its own report (tasks/report.py; secrets as SHA-256 only):");
    console.log(JSON.stringify(JSON.parse(line), null, 2));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
