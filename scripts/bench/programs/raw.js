// B1/B2 "raw": the same PodTemplates, object for object, written with @pulumi/kubernetes
// alone (no components). The objects are the ones pulumi-flyte renders for ours.js,
// read from $BENCH_FIXTURE (written by the bench before any timing starts): what a user
// would otherwise spell out by hand.
"use strict";
const fs = require("fs");
const k8s = require("@pulumi/kubernetes");

const fixture = JSON.parse(fs.readFileSync(process.env.BENCH_FIXTURE, "utf8"));
const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: process.env.BENCH_NAMESPACE || "bench" } });
for (const e of fixture.environments) {
    for (const [name, t] of [[e.name, e.env], [`${e.name}-${fixture.task}`, e.task]]) {
        new k8s.core.v1.PodTemplate(`${name}-podtemplate`, {
            metadata: { ...t.metadata, namespace: namespace.metadata.name },
            template: t.template,
        });
    }
}
