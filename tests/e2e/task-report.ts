/**
 * The smoke task's report (examples/quickstart/tasks/report.py): the JSON line its
 * Job's pod printed on the real node, read through the API server (pod log).
 */
import * as crypto from "crypto";
import { KubeClient } from "../../scripts/lib/kube-client";

export interface TaskReport {
    packages: Record<string, { version?: string; error?: string }>;
    secret: {
        env: { name: string; sha256?: string; error?: string };
        file: { path: string; sha256?: string; mode?: string; uid?: number; gid?: number; error?: string };
    };
    envVars: Record<string, string | null>;
    workdir: string;
    shmBytes: number;
    user: { uid: number; gid: number; name: string | null; groups: number[]; groupNames: string[] };
    python: { executable: string; version: string; venv: boolean };
    locale: { LANG: string | null; encoding: string };
}

export const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/** The succeeded pod of a Job, and the report it printed. */
export async function taskReport(
    kube: KubeClient,
    namespace: string,
    job: string,
): Promise<{ report: TaskReport; pod: any }> {
    const pods = await kube.list(
        `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`job-name=${job}`)}`,
    );
    const pod = pods.filter((p: any) => p.status?.phase === "Succeeded").pop();
    if (!pod)
        throw new Error(
            `Job ${namespace}/${job} has no succeeded pod: ${JSON.stringify(pods.map((p: any) => [p.metadata.name, p.status?.phase]))}`,
        );
    const res = await kube.request<unknown>(
        "GET",
        `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/log?container=primary`,
    );
    if (res.status !== 200) throw new Error(`log of ${pod.metadata.name}: HTTP ${res.status}`);
    // the client parses a body that is JSON: the report alone on its line is
    if (res.body && typeof res.body === "object") return { report: res.body as TaskReport, pod };
    const line = String(res.body)
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .pop();
    if (!line) throw new Error(`${pod.metadata.name} printed no report`);
    return { report: JSON.parse(line), pod };
}
