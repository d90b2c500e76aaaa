// Writes the objects the hand-written program registers: pulumi-flyte's rendering of
// the environments of variants.js (environment and task PodTemplates). Run once per N,
// before any timing.  node fixture.js <sdk module> <n> <out.json>
"use strict";
const fs = require("fs");
const [sdkPath, nText, out] = process.argv.slice(2);
const flyte = require(sdkPath);
const { IMAGE, PROFILE, TASK, environments } = require("./programs/variants");

const list = environments(flyte, Number(nText)).map((e) => {
    const args = { name: e.name, image: IMAGE, resources: e.resources, secrets: e.secrets, envVars: e.envVars, interruptible: e.interruptible };
    return {
        name: e.name,
        env: flyte.renderPodTemplate(args, { profile: PROFILE }),
        task: flyte.renderPodTemplate(args, { profile: PROFILE, task: { name: TASK.name, ...TASK.options } }),
    };
});
fs.writeFileSync(out, JSON.stringify({ task: TASK.name, environments: list }));
