import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, settle } from "./harness";
installMocks();
import { TaskEnvironment } from "../../sdk/src";

const REF = "registry.example.com/team/app@sha256:" + "c".repeat(64);

async function settleAll(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
}

describe("Outputs inside a base pod template (normal Pulumi usage)", () => {
    it("reach the PodTemplate, the Job and the warm pool with their values", async () => {
        const sa = pulumi.output("trainer-sa");
        const env = new TaskEnvironment("train", {
            image: REF,
            podTemplate: {
                podSpec: {
                    serviceAccountName: sa,
                    containers: [{ name: "primary", env: [{ name: "BUCKET", value: pulumi.output("s3://data") }] }],
                },
            },
        });
        env.task("fit").run("once");
        await settle(env);
        await settleAll();
        const templates = ofType("kubernetes:core/v1:PodTemplate");
        expect(templates).toHaveLength(2);
        for (const t of templates) {
            expect(t.inputs.template.spec.serviceAccountName).toBe("trainer-sa");
            expect(t.inputs.template.spec.containers[0].env).toContainEqual({ name: "BUCKET", value: "s3://data" });
        }
        const [job] = ofType("kubernetes:batch/v1:Job");
        expect(job.inputs.spec.template.spec.serviceAccountName).toBe("trainer-sa");
        expect(JSON.stringify(job.inputs)).not.toContain("pf-output-");
    });
});
