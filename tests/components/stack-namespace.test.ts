/**
 * The namespace the default Kubernetes provider uses for objects that name none, as
 * the field-conflict check and the queue check read it: `kubernetes:namespace`, else the
 * current context's namespace in the stack's kubeconfig, else "default".
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installMocks, reset } from "./harness";
installMocks();
import { stackNamespace } from "../../sdk/src/runtime/stack-kubeconfig";

/** A kubeconfig (its contents, as `kubernetes:kubeconfig` may give them) whose contexts have the namespaces given. */
function kubeconfig(current: string, namespaces: Record<string, string | undefined>): string {
    return JSON.stringify({
        "current-context": current,
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: Object.entries(namespaces).map(([name, namespace]) => ({
            name,
            context: { cluster: "c", user: "u", ...(namespace ? { namespace } : {}) },
        })),
    });
}

test.each([
    [{}, "default"],
    [{ "kubernetes:namespace": "team-a" }, "team-a"],
    [{ "kubernetes:kubeconfig": kubeconfig("ml", { ml: "ml-jobs" }) }, "ml-jobs"],
    [{ "kubernetes:kubeconfig": kubeconfig("ml", { ml: undefined }) }, "default"],
    [{ "kubernetes:kubeconfig": kubeconfig("ml", { ml: "ml-jobs", other: "x" }), "kubernetes:context": "other" }, "x"],
    [{ "kubernetes:kubeconfig": kubeconfig("ml", { ml: "ml-jobs" }), "kubernetes:namespace": "team-a" }, "team-a"],
    [{ "kubernetes:kubeconfig": "not: [a kubeconfig" }, "default"],
])("%j: %s", (config, expected) => {
    pulumi.runtime.setAllConfig(config);
    expect(stackNamespace()).toBe(expected);
});

test("under Pulumi's mocks the machine's own kubeconfig ($KUBECONFIG) is not read", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-namespace-"));
    const file = path.join(dir, "config");
    fs.writeFileSync(file, kubeconfig("ml", { ml: "machine-ns" }));
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
        pulumi.runtime.setAllConfig({});
        expect(stackNamespace()).toBe("default");
        // the same file, given as the stack's kubeconfig, is read
        reset();
        pulumi.runtime.setAllConfig({ "kubernetes:kubeconfig": file });
        expect(stackNamespace()).toBe("machine-ns");
    } finally {
        if (saved === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = saved;
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
