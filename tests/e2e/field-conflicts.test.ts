/**
 * A server-side apply field conflict with another field manager, made the way operators
 * make it: `kubectl edit` of one of our PodTemplates (its CPU limit) and of one of our
 * Secrets (its value). The next `pulumi preview --refresh` (what `pulumi up` shows first)
 * and `pulumi up --refresh` fail on that object with our message: the object, the other
 * manager, the fields, and the two ways out; never the Kubernetes provider's own conflict
 * error. Each way converges in one run: take the change back (`flyte:fieldConflicts
 * take-back`: its preview succeeds and says so), or adopt it into the program. The
 * closing table is written to .work/e2e-field-conflicts/conflicts.md, the check's cost
 * (lists, objects, ms) per preview and up to .work/e2e-field-conflicts/cost.md.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KubeClient, kubeClient } from "../../scripts/lib/kube-client";
import { REPO, TrustStack, diagnostics, recorded, requireEnv, saveLogs, trustStack, trustWorkspace } from "./workspace";

jest.setTimeout(30 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-field-conflicts");
const NS = "flyte-e2e-conflicts";
const SECRET = "conflict-e2e-5f0c2a91d7";
let kube: KubeClient;
let s: TrustStack;
const table: { case: string; message: string; runs: number; orphans: number }[] = [];
const costs: string[] = [];
const STATS = path.join(WORK_DIR, "conflict-stats.json");

/** The check's counts and times in the last program run (written by the program at exit). */
function recordCost(what: string): void {
    if (!fs.existsSync(STATS)) return void costs.push(`| ${what} | (the program wrote no counts) | | | | | |`);
    const st = JSON.parse(fs.readFileSync(STATS, "utf8")) as {
        lists: number;
        ms: number;
        objects: number;
        compareMs: number;
    };
    fs.rmSync(STATS);
    const total = st.ms + st.compareMs;
    costs.push(
        `| ${what} | ${st.lists} | ${st.objects} | ${st.ms.toFixed(1)} | ${st.compareMs.toFixed(2)} | ${total.toFixed(1)} | ${st.objects ? (total / st.objects).toFixed(2) : "-"} |`,
    );
}

const PROVIDERS_CONFLICT = "Server-Side Apply field conflict detected";

/** `kubectl edit` with an editor that replaces `from` by `to` in the object's YAML. */
function kubectlEdit(kind: string, name: string, from: string, to: string): void {
    const script = path.join(WORK_DIR, "editor.sh");
    fs.writeFileSync(script, `#!/bin/sh\nsed -i 's|${from}|${to}|' "$1"\n`, { mode: 0o755 });
    execFileSync("kubectl", ["--kubeconfig", requireEnv("KUBECONFIG"), "-n", NS, "edit", kind, name], {
        env: { ...process.env, KUBE_EDITOR: script, EDITOR: script },
        stdio: "pipe",
    });
}

async function liveCpuLimit(name: string): Promise<string> {
    const tpl = await kube.get(`/api/v1/namespaces/${NS}/podtemplates/${name}`);
    return tpl.template.spec.containers.find((c: any) => c.name === "primary").resources.limits.cpu;
}

async function managers(collection: string, name: string): Promise<string[]> {
    const o = await kube.get(`${collection}/${name}`);
    return (o.metadata.managedFields ?? []).map((m: any) => m.manager);
}

/** Our objects in the namespace that the state does not have, and the reverse. */
async function orphans(): Promise<string[]> {
    const state: any[] = (await s.stack.exportStack()).deployment.resources ?? [];
    const inState = new Set(
        state
            .filter((r) => String(r.type).startsWith("kubernetes:") && r.outputs?.metadata?.namespace === NS)
            .map((r) => `${r.outputs.kind}/${r.outputs.metadata.name}`),
    );
    const found: string[] = [];
    for (const [collection, kind] of [
        ["/api/v1", "PodTemplate"],
        ["/api/v1", "Secret"],
    ]) {
        const plural = `${kind.toLowerCase()}s`;
        const list = await kube.get(
            `${collection}/namespaces/${NS}/${plural}?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpulumi-flyte`,
        );
        for (const o of list.items)
            if (!inState.has(`${kind}/${o.metadata.name}`)) found.push(`${kind}/${o.metadata.name}`);
    }
    return found;
}

/** The error the up reported (ours, on the component), and that the provider's own conflict error did not come first. */
function firstError(from: number): string {
    const errors = diagnostics(s, from, ["error"]);
    return errors.find((e) => e.includes("was changed outside this program")) ?? errors[0] ?? "(no error)";
}

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    const ws = await trustWorkspace("field-conflicts-e2e", WORK_DIR);
    s = await trustStack(ws, kube, "dev", NS, { round: "1", imageName: "field-conflicts-e2e", cpuLimit: "1" });
    await s.stack.setConfig("secretValue", { value: SECRET, secret: true });
    await s.stack.setConfig("conflictStats", { value: STATS });
    const up = await s.stack.up(recorded(s));
    expect(up.summary.result).toBe("succeeded");
    recordCost("first up (nothing to compare yet)");
    const again = await s.stack.preview({ ...recorded(s), refresh: true });
    expect(again.changeSummary).not.toHaveProperty("update");
    recordCost("no-change preview --refresh");
    await s.stack.up({ ...recorded(s), refresh: true });
    recordCost("no-change up --refresh");
});

afterAll(async () => {
    if (s) await s.stack.destroy(recorded(s)).catch((err: Error) => s.logs.push(String(err)));
    if (kube) await kube.remove(`/api/v1/namespaces/${NS}`);
    saveLogs(WORK_DIR, s ? [s] : []);
    fs.writeFileSync(
        path.join(WORK_DIR, "cost.md"),
        [
            "| run | lists | objects compared | list ms | compare ms | total ms | ms per object |",
            "|---|---|---|---|---|---|---|",
            ...costs,
        ].join("\n"),
    );
    fs.writeFileSync(
        path.join(WORK_DIR, "conflicts.md"),
        [
            "| case | message seen | runs to converge | objects orphaned |",
            "|---|---|---|---|",
            ...table.map(
                (r) =>
                    `| ${r.case} | ${r.message.replace(/\|/g, "\\|").replace(/\n/g, " ")} | ${r.runs} | ${r.orphans} |`,
            ),
        ].join("\n"),
    );
});

test("kubectl edit of a PodTemplate's CPU limit: the up names the object, kubectl-edit, the field and the choices; take-back converges in one run", async () => {
    const name = (await s.stack.outputs()).podTemplate.value;
    kubectlEdit("podtemplate", name, 'cpu: "1"', 'cpu: "3"');
    expect(await liveCpuLimit(name)).toBe("3");
    expect(await managers(`/api/v1/namespaces/${NS}/podtemplates`, name)).toContain("kubectl-edit");

    // the preview (what `pulumi up` shows first) and the up say the same, ours
    let message = "";
    for (const run of ["preview", "up"] as const) {
        const from = s.events.length;
        await expect(s.stack[run]({ ...recorded(s), refresh: true })).rejects.toThrow();
        recordCost(`${run} --refresh meeting a conflict`);
        message = firstError(from);
        expect(message).toContain(
            `PodTemplate ${NS}/${name} (of environment "app") was changed outside this program: field manager "kubectl-edit" (Update at `,
        );
        expect(message).toContain(
            `set .template.spec.containers[name=primary].resources.limits.cpu (now "3"; the program declares "1")`,
        );
        expect(message).toContain("`pulumi config set flyte:fieldConflicts take-back`, then `pulumi up`");
        expect(message).toContain("or adopt it: declare the changed values in the program");
        expect(s.logs.join("").includes(PROVIDERS_CONFLICT)).toBe(false);
        if (run === "preview")
            table.push({ case: "kubectl edit of a PodTemplate: preview", message, runs: 0, orphans: 0 });
    }

    await s.stack.setConfig("flyte:fieldConflicts", { value: "take-back" });
    // the take-back's preview succeeds and says what the update does
    const from = s.events.length;
    const preview = await s.stack.preview({ ...recorded(s), refresh: true });
    recordCost("take-back preview --refresh");
    expect(preview.changeSummary.update).toBeGreaterThanOrEqual(1);
    expect(diagnostics(s, from, ["error"])).toEqual([]);
    expect(diagnostics(s, from, ["info"]).join("\n")).toContain(
        `PodTemplate ${NS}/${name}: the update takes back the fields "kubectl-edit" changed (flyte:fieldConflicts take-back)`,
    );
    expect(s.logs.join("").includes(PROVIDERS_CONFLICT)).toBe(false);
    expect(await liveCpuLimit(name)).toBe("3"); // a preview changes nothing
    const healed = await s.stack.up({ ...recorded(s), refresh: true });
    expect(healed.summary.result).toBe("succeeded");
    expect(await liveCpuLimit(name)).toBe("1");
    expect(await managers(`/api/v1/namespaces/${NS}/podtemplates`, name)).not.toContain("kubectl-edit");
    await s.stack.removeConfig("flyte:fieldConflicts");
    const left = await orphans();
    table.push({ case: "kubectl edit of a PodTemplate, taken back", message, runs: 1, orphans: left.length });
    expect(left).toEqual([]);
});

test("the same edit adopted into the program: no conflict, one run", async () => {
    const name = (await s.stack.outputs()).podTemplate.value;
    kubectlEdit("podtemplate", name, 'cpu: "1"', 'cpu: "3"');
    await s.stack.setConfig("cpuLimit", { value: "3" });
    const from = s.events.length;
    const up = await s.stack.up({ ...recorded(s), refresh: true });
    expect(up.summary.result).toBe("succeeded");
    expect(diagnostics(s, from, ["error"])).toEqual([]);
    expect(await liveCpuLimit(name)).toBe("3");
    const left = await orphans();
    table.push({ case: "kubectl edit of a PodTemplate, adopted", message: "(none)", runs: 1, orphans: left.length });
    expect(left).toEqual([]);
});

test("kubectl edit of a Secret's value: named without its value; take-back converges in one run", async () => {
    const changed = Buffer.from("edited-by-hand").toString("base64");
    const original = Buffer.from(SECRET).toString("base64");
    kubectlEdit("secret", "demo", `token: ${original}`, `token: ${changed}`);
    let message = "";
    for (const run of ["preview", "up"] as const) {
        const from = s.events.length;
        await expect(s.stack[run]({ ...recorded(s), refresh: true })).rejects.toThrow();
        message = firstError(from);
        expect(message).toContain(
            `Secret ${NS}/demo (of SecretStore "secrets") was changed outside this program: field manager "kubectl-edit" (Update at `,
        );
        expect(message).toContain("set .data.token.");
        expect(s.logs.join("").includes(PROVIDERS_CONFLICT)).toBe(false);
        for (const v of [SECRET, original, changed, "edited-by-hand"]) expect(s.logs.join("").includes(v)).toBe(false);
    }

    await s.stack.setConfig("flyte:fieldConflicts", { value: "take-back" });
    const healed = await s.stack.up({ ...recorded(s), refresh: true });
    expect(healed.summary.result).toBe("succeeded");
    const secret = await kube.get(`/api/v1/namespaces/${NS}/secrets/demo`);
    expect(secret.data.token).toBe(original);
    await s.stack.removeConfig("flyte:fieldConflicts");
    const left = await orphans();
    table.push({ case: "kubectl edit of a Secret, taken back", message, runs: 1, orphans: left.length });
    expect(left).toEqual([]);
});
