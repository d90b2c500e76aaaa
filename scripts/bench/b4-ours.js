// B4 "ours", in a fresh process: the image tag (flyte-sdk's source hash over the folder)
// and ImageBuild's build context for an image with that source folder.
//   node b4-ours.js <sdk module> <source folder> <context dir>
// Prints { tagMs, contextMs, ms, files, copiedBytes, linkedFiles }.
"use strict";
const fs = require("fs");
const path = require("path");
const { performance } = require("perf_hooks");
const [sdk, src, ctx] = process.argv.slice(2);
const flyte = require(sdk);
// ImageBuild's own step (not a root export since the public API was narrowed; an older
// SDK measured with --sdk-rev still exports it; build/context was its file before a73a801)
const fromFile = (f) => (fs.existsSync(path.join(sdk, "build", `${f}.js`)) ? require(path.join(sdk, "build", f)) : undefined);
const { assembleBuildContext } = flyte.assembleBuildContext ? flyte : (fromFile("assemble-context") ?? fromFile("context"));

const t0 = performance.now();
const image = flyte.Image.fromDebianBase({ python: "3.11", registry: "localhost:30000", name: "b4" }).withSourceFolder(src);
const tag = image.tag;
const t1 = performance.now();
const context = assembleBuildContext(image, ctx);
const t2 = performance.now();
// what landed in the context: copies (new data) or links to the source files
let copiedBytes = 0;
let linkedFiles = 0;
for (const rel of context.files) {
    const st = fs.statSync(path.join(context.dir, rel));
    if (st.nlink > 1) linkedFiles++;
    else copiedBytes += st.size;
}
process.stdout.write(JSON.stringify({ tag, tagMs: t1 - t0, contextMs: t2 - t1, ms: t2 - t0, files: context.files.length, copiedBytes, linkedFiles }) + "\n");
