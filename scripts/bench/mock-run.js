// One evaluation of a bench program under Pulumi's mocks, in a fresh process:
//   node mock-run.js <program.js> [--dump <file>]
// Prints one JSON line: { ms, cpuMs, loadMs, registrations, podTemplates }.
//   ms      from requiring the program (its modules included) until every
//           registration and output has been sent (the runtime's RPC queue drained)
//   cpuMs   the CPU time (user + system) of the process over the same span, which
//           a loaded machine disturbs less than the wall time
//   loadMs  the part of it spent loading the program's modules (first require)
// BENCH_N, BENCH_SDK, BENCH_FIXTURE, BENCH_NAMESPACE are the program's inputs.
"use strict";
const { performance } = require("perf_hooks");
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");

const [program, flag, dumpFile] = process.argv.slice(2);
// BENCH_COUNT=1: count the promises the Pulumi runtime tracks (each captures a stack
// trace): a deterministic measure of the runtime work a program causes
let promises = 0;
if (process.env.BENCH_COUNT) {
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p, ctx) => { promises++; return original(p, ctx); };
}
let registrations = 0;
const podTemplates = [];
pulumi.runtime.setMocks({
    newResource(args) {
        registrations++;
        if (flag === "--dump" && args.type === "kubernetes:core/v1:PodTemplate") podTemplates.push({ name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
        return args.inputs;
    },
}, "bench", "bench", false);

(async () => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let loadMs = 0;
    await pulumi.runtime.runInPulumiStack(async () => {
        // the modules a program loads are part of its evaluation: time them apart
        const tl = performance.now();
        require("@pulumi/kubernetes");
        if (process.env.BENCH_SDK && /ours/.test(program)) require(process.env.BENCH_SDK);
        loadMs = performance.now() - tl;
        require(require("path").resolve(program));
        return {};
    });
    await pulumi.runtime.disconnect();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (flag === "--dump") {
        podTemplates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        fs.writeFileSync(dumpFile, JSON.stringify(podTemplates));
    }
    process.stdout.write(JSON.stringify({ ms, cpuMs, loadMs, registrations, podTemplates: podTemplates.length, ...(process.env.BENCH_COUNT ? { promises } : {}) }) + "\n");
})().catch((err) => {
    console.error(err);
    process.exit(1);
});
