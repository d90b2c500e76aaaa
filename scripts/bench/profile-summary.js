// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package / file and the
// top functions, and total (inclusive) time of functions matching a pattern.
//   node profile-summary.js <file.cpuprofile> [top=25] [inclusive-regex]
"use strict";
const fs = require("fs");
const [file, topText, incl] = process.argv.slice(2);
const top = Number(topText || 25);
const prof = JSON.parse(fs.readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) || 0) + (dt[i] || 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (n) => {
    const url = n.callFrame.url || "";
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1];
    if (/sdk-dist|sdk\/(dist|src)/.test(url)) return "pulumi-flyte:" + url.replace(/.*(sdk-dist|sdk\/dist|sdk\/src)\//, "");
    if (!url) return `(${n.callFrame.functionName || "native"})`;
    return url.replace(/^file:\/\//, "").replace(/.*\/work\/main\//, "");
};
const agg = (keyOf) => {
    const m = new Map();
    for (const [id, t] of self) { const k = keyOf(byId.get(id)); m.set(k, (m.get(k) || 0) + t); }
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
};
const pct = (t) => `${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms`);
console.log("-- self time by package/file");
for (const [k, t] of agg((n) => where(n).replace(/^pulumi-flyte:([^/]+)\/.*/, "pulumi-flyte:$1")).slice(0, top)) console.log(pct(t), k);
console.log("-- self time by function");
for (const [k, t] of agg((n) => `${n.callFrame.functionName || "(anon)"} ${where(n)}:${n.callFrame.lineNumber + 1}`).slice(0, top)) console.log(pct(t), k);
if (incl) {
    // inclusive time of frames whose "function file" matches: walk parents
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
    const re = new RegExp(incl);
    const m = new Map();
    for (const [id, t] of self) {
        const seen = new Set();
        for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
            const n = byId.get(cur);
            const k = `${n.callFrame.functionName || "(anon)"} ${where(n)}:${n.callFrame.lineNumber + 1}`;
            if (re.test(k) && !seen.has(k)) { seen.add(k); m.set(k, (m.get(k) || 0) + t); }
        }
    }
    console.log(`-- inclusive time of frames matching /${incl}/`);
    for (const [k, t] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(t), k);
}
