import * as pulumi from "@pulumi/pulumi";
import { installMocks, ofType, settle } from "./harness";
installMocks();
import { TaskEnvironment } from "../../sdk/src";

const REF = "registry.example.com/team/app@sha256:" + "d".repeat(64);

function output<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

describe("an image given as an Output", () => {
    it("is left out of the public environment and task values (no stand-in), and reaches the pods", async () => {
        const env = new TaskEnvironment("train", { image: pulumi.output(REF) });
        const task = env.task("fit");
        task.run("once", { command: ["python", "fit.py"] });
        expect(env.environment.image).toBeUndefined();
        expect(task.template.environment.image).toBeUndefined();
        expect(JSON.stringify(env.environment)).not.toContain("pending-image");
        expect(await output(env.imageRef)).toBe(REF);
        await settle(env);
        const images = [
            ...ofType("kubernetes:core/v1:PodTemplate").map((t) => t.inputs.template.spec.containers[0].image),
            ...ofType("kubernetes:batch/v1:Job").map((j) => j.inputs.spec.template.spec.containers[0].image),
        ];
        expect(images).toEqual([REF, REF, REF]);
    });

    it("an image given as a string stays in the environment", () => {
        const env = new TaskEnvironment("serve", { image: REF });
        expect(env.environment.image).toBe(REF);
    });
});
