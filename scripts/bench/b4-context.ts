/**
 * B4: preparing and hashing a source folder of 1 GiB in 20,000 files, as ImageBuild
 * does for `withSourceFolder` (the image tag's source hash, then the build context),
 * against `tar -cf - . | sha256sum` over the same files. Warm page cache for both.
 */
import * as fs from "fs";
import * as path from "path";
import { load } from "./machine";
import { fmtMs, median, pairedRatios } from "./stats";
import { SectionResult } from "./types";
import { WORK, log, must, rotated } from "./util";

const FILES = 20_000;
const BYTES = 2 ** 30;
const PER_DIR = 100;

/** Deterministic, incompressible files: 20 packages × 10 modules × 100 files, sizes 1 KiB–~105 KiB. */
function generate(dir: string): void {
    const marker = path.join(dir, ".bench-source");
    const spec = `${FILES} files, ${BYTES} bytes, v2`;
    if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === spec) return;
    log(`B4: writing ${FILES} files (${BYTES / 2 ** 30} GiB) into ${dir}`);
    fs.rmSync(dir, { recursive: true, force: true });
    let seed = 0x9e3779b9;
    const rnd = () => {
        seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
        return seed;
    };
    const sizes: number[] = [];
    for (let i = 0; i < FILES; i++) sizes.push(1024 + (rnd() % (2 * Math.floor(BYTES / FILES - 1024))));
    // scaled to exactly BYTES in all (the remainder, a few bytes, to the last file)
    const sum = sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < FILES; i++) sizes[i] = Math.max(64, Math.floor((sizes[i] * BYTES) / sum));
    sizes[FILES - 1] += BYTES - sizes.reduce((a, b) => a + b, 0);
    const block = Buffer.alloc(256 * 1024);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(rnd(), i);
    for (let i = 0; i < FILES; i++) {
        const d = path.join(dir, `pkg${String(Math.floor(i / (PER_DIR * 10))).padStart(2, "0")}`, `mod${Math.floor(i / PER_DIR) % 10}`);
        if (i % PER_DIR === 0) fs.mkdirSync(d, { recursive: true });
        // every file differs: a header with its index, then a window of the block
        const buf = Buffer.alloc(sizes[i]);
        buf.write(`# file ${i}\n`);
        const off = rnd() % (block.length - 1);
        for (let p = 16; p < buf.length; p += block.length - off) block.copy(buf, p, off, off + Math.min(block.length - off, buf.length - p));
        fs.writeFileSync(path.join(d, `f${String(i % PER_DIR).padStart(3, "0")}.py`), buf);
    }
    fs.writeFileSync(marker, spec);
}

export async function b4(opts: { sdk: string; runs: number }): Promise<SectionResult> {
    const load0 = load();
    const base = path.join(WORK, "b4");
    const src = path.join(base, "src");
    const ctx = path.join(base, "context");
    fs.mkdirSync(base, { recursive: true });
    generate(src);
    // warm the page cache once for both
    await must("bash", ["-c", `tar -cf - -C '${src}' . > /dev/null`]);
    const samples: Record<string, number[]> = { ours: [], tar: [], tag: [], context: [] };
    let last: any;
    for (let round = 0; round < opts.runs; round++) {
        for (const which of rotated(["ours", "tar"], round)) {
            if (which === "ours") {
                const r = await must("node", [path.join(__dirname, "b4-ours.js"), opts.sdk, src, ctx]);
                last = JSON.parse(r.stdout.trim());
                samples.ours.push(last.ms);
                samples.tag.push(last.tagMs);
                samples.context.push(last.contextMs);
                log(`B4 round ${round + 1}: ours ${fmtMs(last.ms)} (tag ${fmtMs(last.tagMs)}, context ${fmtMs(last.contextMs)}; ${last.copiedBytes} bytes copied, ${last.linkedFiles} files linked)`);
            } else {
                const r = await must("bash", ["-c", `tar -cf - -C '${src}' . | sha256sum > /dev/null`]);
                samples.tar.push(r.ms);
                log(`B4 round ${round + 1}: tar | sha256sum ${fmtMs(r.ms)}`);
            }
        }
    }
    return {
        id: "B4",
        title: "Build context: 1 GiB in 20,000 files",
        date: new Date().toISOString(),
        status: "ok",
        load: [load0, load()],
        ratios: [
            { label: "tag + context / tar | sha256sum", ratio: pairedRatios(samples.ours, samples.tar), goal: 1.5, chart: true,
                detail: `medians ${fmtMs(median(samples.ours))} / ${fmtMs(median(samples.tar))}` },
            { label: "tag (source hash) alone / tar | sha256sum", ratio: pairedRatios(samples.tag, samples.tar) },
            { label: "context alone / tar | sha256sum", ratio: pairedRatios(samples.context, samples.tar) },
        ],
        tables: [{
            caption: "What the build context holds (last run)",
            header: ["files", "bytes copied", "files linked to the source (no copy)"],
            rows: [[String(last.files), String(last.copiedBytes), String(last.linkedFiles)]],
        }],
        notes: [
            "ours: a fresh `node` process computes `Image.fromDebianBase(...).withSourceFolder(src).tag` (flyte-sdk's md5 over every file, required for tags identical to flyte-sdk's) and `assembleBuildContext` (what ImageBuild does at every preview and update; the context folder exists from the previous run, as it does from one `pulumi up` to the next).",
        ],
        raw: samples,
    };
}
