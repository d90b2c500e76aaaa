/**
 * Stacks updated at once that need the same image: two, then three stacks of one
 * program, each round with a changed image (a new tag), all `pulumi up` at the same
 * time, five rounds each. Every round: every update succeeds, exactly one stack builds
 * and pushes (the others wait for its lock, then find its image), and the digest every
 * stack deployed is one the registry serves whole (manifest and every blob). Before the
 * build lock, two stacks pushed one tag at once and one deployed a digest the registry
 * answered with HTTP 500.
 */
import * as fs from "fs";
import * as path from "path";
import { KubeClient, kubeClient } from "../../scripts/lib/kube-client";
import { checkPullable } from "../../sdk/src/build/registry";
import { registryDigest } from "./helpers";
import { REPO, TrustStack, diagnostics, recorded, requireEnv, saveLogs, trustStack, trustWorkspace } from "./workspace";

jest.setTimeout(60 * 60_000);

const WORK_DIR = path.join(REPO, ".work", "e2e-concurrent-stacks");
const ROUNDS = 5;
let kube: KubeClient;
const all: TrustStack[] = [];
const table: string[] = [];

beforeAll(() => {
    requireEnv("SSL_CERT_DIR");
    kube = kubeClient(requireEnv("KUBECONFIG"));
});

afterAll(async () => {
    for (const s of all) {
        await s.stack.destroy(recorded(s)).catch((err: Error) => s.logs.push(String(err)));
        await kube.remove(`/api/v1/namespaces/${s.namespace}`);
    }
    saveLogs(WORK_DIR, all);
    fs.writeFileSync(
        path.join(WORK_DIR, "rounds.md"),
        [
            "| stacks | round | built by | waited | digest pullable | seconds |",
            "|---|---|---|---|---|---|",
            ...table,
        ].join("\n"),
    );
});

describe.each([2, 3])("%i stacks updated at once with a changed image", (n) => {
    const stacks: TrustStack[] = [];

    beforeAll(async () => {
        const ws = await trustWorkspace(`concurrent-e2e-${n}`, path.join(WORK_DIR, String(n)));
        for (let i = 0; i < n; i++) {
            const s = await trustStack(ws, kube, `s${i}`, `flyte-e2e-concurrent-${n}-${i}`, {
                round: "0",
                imageName: `concurrent-e2e-${n}`,
            });
            stacks.push(s);
            all.push(s);
        }
    });

    test.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))(
        "round %i: every update succeeds, one build, every deployed digest pullable",
        async (round) => {
            const tag = `${round}-${Date.now()}`;
            for (const s of stacks) await s.stack.setConfig("round", { value: tag });
            const from = stacks.map((s) => s.events.length);
            const t0 = Date.now();
            const results = await Promise.allSettled(stacks.map((s) => s.stack.up(recorded(s))));
            const seconds = ((Date.now() - t0) / 1000).toFixed(1);
            const failures = results
                .map((r, i) =>
                    r.status === "rejected" ? `${stacks[i].stack.name}: ${String(r.reason).slice(0, 2000)}` : "",
                )
                .filter(Boolean);
            expect(failures).toEqual([]);

            const outs = await Promise.all(stacks.map((s) => s.stack.outputs()));
            const builders = outs.map((o, i) => (o.built.value ? stacks[i].stack.name : "")).filter(Boolean);
            expect(builders).toHaveLength(1);
            const uri: string = outs[0].uri.value;
            expect(outs.every((o) => o.uri.value === uri)).toBe(true);
            const digest = registryDigest(uri)!;
            const refs = outs.map((o) => o.imageRef.value);
            expect(refs).toEqual(stacks.map(() => `localhost:30000/concurrent-e2e-${n}@${digest}`));
            expect(await checkPullable(uri, digest)).toBeUndefined();
            for (const [i, s] of stacks.entries()) {
                const tpl = await kube.get(
                    `/api/v1/namespaces/${s.namespace}/podtemplates/${outs[i].podTemplate.value}`,
                );
                expect(tpl.template.spec.containers[0].image).toBe(refs[i]);
                expect(diagnostics(s, from[i])).toEqual([]);
            }
            const waited = stacks.filter((s, i) =>
                diagnostics(s, from[i], ["info"]).some((d) => d.includes(`which is building or pushing ${uri}`)),
            ).length;
            table.push(`| ${n} | ${round} | ${builders[0]} | ${waited} | yes | ${seconds} |`);
        },
    );
});
