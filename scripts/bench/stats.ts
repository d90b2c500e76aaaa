/** Small statistics for the bench: every figure is min / median / max over runs. */
export interface Spread {
    min: number;
    median: number;
    max: number;
    runs: number;
}

export function median(xs: readonly number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    if (!s.length) return NaN;
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(xs: readonly number[]): Spread {
    return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs), runs: xs.length };
}

/** Ratios of paired runs (a[i] / b[i]: measured back to back, so load drifts cancel). */
export function pairedRatios(a: readonly number[], b: readonly number[]): Spread {
    const n = Math.min(a.length, b.length);
    const r: number[] = [];
    for (let i = 0; i < n; i++) r.push(a[i] / b[i]);
    return spread(r);
}

export function fmtRatio(s: Spread | undefined): string {
    if (!s || !Number.isFinite(s.median)) return "—";
    return `**${s.median.toFixed(2)}** (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

export function fmtMs(ms: number): string {
    if (!Number.isFinite(ms)) return "—";
    if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
    if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
    return `${ms.toFixed(ms >= 10 ? 0 : 1)} ms`;
}

export function fmtSpreadMs(s: Spread | undefined): string {
    if (!s) return "—";
    return `${fmtMs(s.median)} (${fmtMs(s.min)}–${fmtMs(s.max)})`;
}
