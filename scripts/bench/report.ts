/** Writes bench/REPORT.md and bench/chart.svg from the results (and the baseline, for before/after). */
import * as fs from "fs";
import * as path from "path";
import { BenchResults, RatioRow, SectionResult } from "./types";
import { fmtRatio } from "./stats";

const ORDER: SectionResult["id"][] = ["B1", "B2", "B3", "B4", "B5", "B6"];

function esc(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A markdown table; a "|" inside a cell (`tar | sha256sum`) is escaped so it does not split the cell. */
function table(header: string[], rows: string[][]): string {
    const cells = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
    return [cells(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(cells)].join("\n");
}

function beforeOf(baseline: BenchResults | undefined, id: SectionResult["id"], label: string): RatioRow | undefined {
    return baseline?.sections[id]?.ratios.find((r) => r.label === label);
}

export function chartSvg(results: BenchResults, baseline?: BenchResults): string {
    const rows: { label: string; now: RatioRow; before?: RatioRow }[] = [];
    for (const id of ORDER) {
        const s = results.sections[id];
        if (!s || s.status !== "ok") continue;
        for (const r of s.ratios) if (r.chart) rows.push({ label: `${id} ${r.label}`, now: r, before: beforeOf(baseline, id, r.label) });
    }
    const W = 980, labelW = 430, top = 46, rowH = 30, plotW = W - labelW - 40;
    const maxX = Math.min(4, Math.max(2, ...rows.flatMap((r) => [r.now.ratio.max, r.before?.ratio.max ?? 0].filter(Number.isFinite)))) * 1.05;
    const x = (v: number) => labelW + (Math.min(v, maxX) / maxX) * plotW;
    const H = top + rows.length * rowH + 40;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
    out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
    out.push(`<text x="10" y="18" font-size="14" font-weight="bold">pulumi-flyte bench: ratios (median bar, min–max whisker); lower is better</text>`);
    out.push(`<text x="10" y="35" fill="#555">${esc(`${results.date.slice(0, 10)} · ${results.machine.cpus} × ${results.machine.cpuModel} · commit ${results.machine.commit}`)} · grey: before (baseline), blue: now, red tick: goal</text>`);
    for (let v = 0; v <= maxX; v += maxX > 6 ? 1 : 0.5) {
        out.push(`<line x1="${x(v)}" y1="${top - 4}" x2="${x(v)}" y2="${H - 30}" stroke="${v === 1 ? "#333" : "#ddd"}" stroke-width="${v === 1 ? 1.5 : 1}"/>`);
        out.push(`<text x="${x(v)}" y="${H - 14}" text-anchor="middle" fill="#555">${v.toFixed(1)}</text>`);
    }
    rows.forEach((r, i) => {
        const y = top + i * rowH;
        out.push(`<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(r.label.length > 68 ? r.label.slice(0, 66) + "…" : r.label)}</text>`);
        const bar = (row: RatioRow, dy: number, h: number, color: string) => {
            const s = row.ratio;
            out.push(`<rect x="${labelW}" y="${y + dy}" width="${Math.max(1, x(s.median) - labelW)}" height="${h}" fill="${color}"/>`);
            out.push(`<line x1="${x(s.min)}" y1="${y + dy + h / 2}" x2="${x(s.max)}" y2="${y + dy + h / 2}" stroke="#222"/>`);
            out.push(`<line x1="${x(s.min)}" y1="${y + dy + 1}" x2="${x(s.min)}" y2="${y + dy + h - 1}" stroke="#222"/>`);
            out.push(`<line x1="${x(s.max)}" y1="${y + dy + 1}" x2="${x(s.max)}" y2="${y + dy + h - 1}" stroke="#222"/>`);
        };
        if (r.before && !Number.isFinite(r.before.ratio.median)) r.before = undefined;
        if (!Number.isFinite(r.now.ratio.median)) return;
        if (r.before) bar(r.before, 3, 9, "#bbb");
        bar(r.now, r.before ? 13 : 6, r.before ? 12 : 16, "#3b7dd8");
        out.push(`<text x="${x(r.now.ratio.max) + 6}" y="${y + 23}" fill="#222">${r.now.ratio.median.toFixed(2)}${r.before ? ` (was ${r.before.ratio.median.toFixed(2)})` : ""}</text>`);
        if (r.now.goal) out.push(`<line x1="${x(r.now.goal)}" y1="${y + 1}" x2="${x(r.now.goal)}" y2="${y + rowH - 3}" stroke="#d22" stroke-width="2"/>`);
    });
    out.push(`</svg>`);
    return out.join("\n") + "\n";
}

export function reportMarkdown(results: BenchResults, baseline: BenchResults | undefined, chartFile: string): string {
    const m = results.machine;
    const lines: string[] = [];
    lines.push("# pulumi-flyte performance report");
    lines.push("");
    lines.push("Written by `npm run bench` (`scripts/bench.ts`); do not edit by hand. Every figure is a ratio against what a");
    lines.push("user would do instead, measured in the same run, as **median** (min–max) over the runs. The machine is");
    lines.push("shared and noisy: absolute times are context only. Timings are never asserted in tests.");
    lines.push("");
    lines.push(`- date: ${results.date}`);
    lines.push(`- machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.kernel}; Node.js ${m.node}${m.go ? `; ${m.go}` : ""}`);
    lines.push(`- commit: ${m.commit}${m.dirty ? " (with uncommitted changes in the checkout)" : ""}`);
    if (baseline) {
        const parts = ORDER.filter((id) => baseline.sections[id]?.status === "ok")
            .map((id) => `${id} measured ${baseline.sections[id]!.date.slice(0, 16).replace("T", " ")} UTC (pulumi-flyte ${baseline.sections[id]!.sdk ?? `as of ${baseline.machine.commit}`})`);
        lines.push(`- before (\`bench/baseline.json\`, written with \`--baseline\`): ${parts.length ? parts.join("; ") : "no section"}; sections without one show —`);
    }
    const nowParts = ORDER.filter((id) => results.sections[id]?.status === "ok" && results.sections[id]!.sdk).map((id) => `${id} ${results.sections[id]!.sdk}`);
    if (nowParts.length) lines.push(`- now, pulumi-flyte measured: ${nowParts.join("; ")}`);
    lines.push("");
    lines.push(`![ratios](${path.basename(chartFile)})`);
    lines.push("");
    lines.push("## Summary");
    lines.push("");
    const summary: string[][] = [];
    for (const id of ORDER) {
        const s = results.sections[id];
        if (!s) continue;
        if (s.status !== "ok") { summary.push([id, s.status, s.reason ?? "", "", ""]); continue; }
        for (const r of s.ratios) {
            const b = beforeOf(baseline, id, r.label);
            const met = r.goal === undefined ? "" : r.ratio.median <= r.goal ? `≤ ${r.goal} ✓` : `≤ ${r.goal} ✗`;
            summary.push([id, r.label, b ? fmtRatio(b.ratio) : "—", fmtRatio(r.ratio), met]);
        }
        for (const c of s.checks ?? []) {
            const b = baseline?.sections[id]?.checks?.find((x) => x.label === c.label);
            summary.push([id, c.label, b ? b.actual : "—", c.actual, `${c.expected} ${c.ok ? "✓" : "✗"}`]);
        }
    }
    lines.push(table(["", "ratio", "before", "now", "goal"], summary));
    for (const id of ORDER) {
        const s = results.sections[id];
        if (!s) continue;
        lines.push("");
        lines.push(`## ${id}: ${s.title}`);
        lines.push("");
        lines.push(`Measured ${s.date.slice(0, 16).replace("T", " ")} UTC${s.load ? `, load average ${s.load[0]} → ${s.load[1]} on ${m.cpus} cores` : ""}.`);
        if (s.status !== "ok") {
            lines.push("");
            lines.push(`**${s.status}**: ${s.reason}`);
        }
        if (s.ratios.length) {
            lines.push("");
            lines.push(table(["ratio", "before", "now", "medians (context)"], s.ratios.map((r) => {
                const b = beforeOf(baseline, id, r.label);
                return [r.label, b ? fmtRatio(b.ratio) : "—", `${fmtRatio(r.ratio)}${r.goal !== undefined ? ` (goal ≤ ${r.goal})` : ""}`, r.detail ?? ""];
            })));
        }
        if (s.checks?.length) {
            lines.push("");
            lines.push(table(["check", "expected", "actual", ""], s.checks.map((c) => [c.label, c.expected, c.actual, c.ok ? "✓" : "✗"])));
        }
        for (const t of s.tables) {
            lines.push("");
            lines.push(`${t.caption}:`);
            lines.push("");
            lines.push(table(t.header, t.rows));
        }
        if (s.notes.length) {
            lines.push("");
            for (const n of s.notes) lines.push(`- ${n}`);
        }
    }
    lines.push("");
    return lines.join("\n");
}

export function writeReport(dir: string, results: BenchResults, baseline?: BenchResults): void {
    fs.mkdirSync(dir, { recursive: true });
    const chart = path.join(dir, "chart.svg");
    fs.writeFileSync(chart, chartSvg(results, baseline));
    fs.writeFileSync(path.join(dir, "REPORT.md"), reportMarkdown(results, baseline, chart));
}
