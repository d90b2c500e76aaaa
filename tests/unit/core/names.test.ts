/**
 * Every generated object name and label value passes Kubernetes' own rules
 * (k8s.io/apimachinery validation), whatever Flyte name the program uses.
 */
import { TPU } from "../../../sdk/src";
import { render } from "../../../sdk/src/core/podtemplate/render";
import { jobSpec, runLabels } from "../../../sdk/src/core/podtemplate/job";
import { TaskTemplate } from "../../../sdk/src/core/task-template";
import { normalizeEnvironment } from "../../../sdk/src/core/environment-settings";
import { checkLabelKey, checkLabels, labelValue, serviceName } from "../../../sdk/src/core/names";
import { errorOf } from "./helpers";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const longName = "a_" + "very_long_environment_name_".repeat(4) + "x";
const names = ["train", "3d_model", longName, "x".repeat(100), `${"b".repeat(60)}_c`];

function rendered(envName: string, taskName: string, tpu = false) {
    const env = normalizeEnvironment({
        name: envName,
        image: "ghcr.io/acme/app:1",
        resources: tpu ? { gpu: TPU({ device: "V5P", partition: "4x4x4" }) } : {},
    });
    return render(env, { profile: "gke", task: new TaskTemplate(env, taskName) });
}

describe.each(names)("names derived from %j", (name) => {
    it("label values are at most 63 characters and well-formed", () => {
        const r = rendered(name, name);
        for (const v of [...Object.values(r.podTemplate.metadata.labels!), ...Object.values(runLabels(r, name))]) {
            expect(v.length).toBeLessThanOrEqual(63);
            expect(v).toMatch(LABEL_VALUE);
        }
        expect(r.podTemplate.metadata.name).toMatch(DNS1123_LABEL);
        expect(r.podTemplate.metadata.name.length).toBeLessThanOrEqual(63);
    });

    it("CronJob names are at most 52 characters (the controller appends 11), Job names at most 63", () => {
        const r = rendered(name, "fit");
        const cron = jobSpec(r, name, { schedule: "0 3 * * *" });
        const job = jobSpec(r, name, {});
        expect(cron.name.length).toBeLessThanOrEqual(52);
        expect(cron.name).toMatch(DNS1123_LABEL);
        expect(job.name.length).toBeLessThanOrEqual(63);
        expect(job.name).toMatch(DNS1123_LABEL);
    });

    it("the headless Service of a multi-host slice is a DNS-1035 label", () => {
        const r = rendered(name, "fit", true);
        const { spec } = jobSpec(r, "once", {});
        expect(spec.template.spec.subdomain).toMatch(DNS1035_LABEL);
        expect(spec.template.spec.subdomain.length).toBeLessThanOrEqual(63);
    });
});

describe("label helpers", () => {
    it("long names keep a prefix and a stable hash; distinct names stay distinct", () => {
        expect(labelValue("train")).toBe("train");
        const a = labelValue("x".repeat(100));
        expect(a).toBe(labelValue("x".repeat(100)));
        expect(a).not.toBe(labelValue("x".repeat(101)));
        expect(serviceName("3d-train")).toBe("s-3d-train");
        expect(serviceName("train")).toBe("train");
    });

    it.each([
        ["example.com/tier", true],
        ["team", true],
        ["-team", false],
        ["Example.com/x", false],
        ["x".repeat(64), false],
    ])("label key %j valid: %p", (key, ok) => {
        if (ok) expect(checkLabelKey("labels", key)).toBe(key);
        else expect(errorOf(() => checkLabelKey("labels", key)).field).toBe("labels");
    });

    it("label values are checked", () => {
        expect(errorOf(() => checkLabels("labels", { team: "a b" })).field).toBe("labels.team");
        expect(checkLabels("labels", { team: "" })).toEqual({ team: "" });
    });
});
