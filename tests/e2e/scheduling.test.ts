/**
 * Every profile against the real kube-scheduler, without Pulumi: render a template
 * with the pure core, store it in the API server, make a pod from it and see which
 * fake node (platform/nodes.yaml) the scheduler binds it to. The table is shared with
 * the scheduling check's tests (tests/fixtures/scheduling-cases.ts).
 */
import { renderPodTemplate } from "pulumi-flyte";
import { KubeClient, kubeClient, probeScheduling, waitFor } from "../../scripts/lib/kube-client";
import { SCHEDULING_CASES as CASES } from "../fixtures/scheduling-cases";
import { requireEnv } from "./workspace";

jest.setTimeout(10 * 60_000);

const NS = "flyte-e2e-scheduling";
let kube: KubeClient;

beforeAll(async () => {
    kube = kubeClient(requireEnv("KUBECONFIG"));
    await kube.remove(`/api/v1/namespaces/${NS}`);
    await waitFor(async () => (await kube.request("GET", `/api/v1/namespaces/${NS}`)).status === 404, 120_000);
    await kube.create("/api/v1/namespaces", { metadata: { name: NS } });
    await waitFor(
        async () =>
            (await kube.list(`/api/v1/namespaces/${NS}/serviceaccounts`)).some(
                (s: any) => s.metadata.name === "default",
            ),
        60_000,
    );
});

afterAll(async () => {
    await kube.remove(`/api/v1/namespaces/${NS}`);
});

test.each(CASES)("$name", async (c) => {
    const tpl = renderPodTemplate(
        { name: c.name, image: "localhost:30000/probe:1", resources: c.resources, interruptible: c.interruptible },
        { profile: c.profile, migStrategy: c.migStrategy, namespace: NS },
    );
    await kube.create(`/api/v1/namespaces/${NS}/podtemplates`, tpl);
    const result = await probeScheduling(
        kube,
        NS,
        tpl.metadata.name,
        `probe-${c.name}`,
        c.expect === undefined ? 15_000 : 30_000,
    );
    if (c.expect === undefined) {
        expect({ node: result.node, reason: result.reason }).toEqual({ node: undefined, reason: "Unschedulable" });
        expect(result.message).toMatch(c.why!);
    } else if (Array.isArray(c.expect)) {
        expect(c.expect).toContain(result.node);
    } else {
        expect(result.node).toBe(c.expect);
    }
});
