// B1/B2 "raw + component": raw.js with each environment's two PodTemplates under a
// ComponentResource of its own, as any Pulumi component does. Measures what a
// component costs in Pulumi itself, whoever writes it.
"use strict";
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");

const fixture = JSON.parse(fs.readFileSync(process.env.BENCH_FIXTURE, "utf8"));
const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: process.env.BENCH_NAMESPACE || "bench" } });
for (const e of fixture.environments) {
    const parent = new pulumi.ComponentResource("bench:index:Environment", e.name, {}, {});
    for (const [name, t] of [[e.name, e.env], [`${e.name}-${fixture.task}`, e.task]]) {
        new k8s.core.v1.PodTemplate(`${name}-podtemplate`, {
            metadata: { ...t.metadata, namespace: namespace.metadata.name },
            template: t.template,
        }, { parent });
    }
    parent.registerOutputs({});
}
