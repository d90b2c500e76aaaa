import { Spread } from "./stats";

/** One line of a section's table: a ratio (the headline), with context figures. */
export interface RatioRow {
    /** e.g. "N=1000 ours / raw (CPU)". */
    label: string;
    ratio: Spread;
    /** The goal for this ratio, if the issue sets one (at most). */
    goal?: number;
    /** Medians of what was divided, for context (never quoted alone). */
    detail?: string;
    /** Shown in the chart. */
    chart?: boolean;
}

export interface SectionResult {
    id: "B1" | "B2" | "B3" | "B4" | "B5" | "B6";
    title: string;
    date: string;
    status: "ok" | "skipped" | "failed";
    /** The pulumi-flyte measured: the checkout's commit (+ "with changes"), or the commit given with --sdk-rev. */
    sdk?: string;
    /** Why it was skipped or failed. */
    reason?: string;
    /** Load average (1 min) when the section started and ended. */
    load?: [number, number];
    ratios: RatioRow[];
    /** Pass/fail facts (counts that must hold), shown in the summary next to the ratios. */
    checks?: { label: string; expected: string; actual: string; ok: boolean }[];
    /** Extra tables: header + rows, in markdown cells. */
    tables: { caption: string; header: string[]; rows: string[][] }[];
    notes: string[];
    /** Raw measurements, for whoever wants to recompute. */
    raw?: unknown;
}

export interface BenchResults {
    date: string;
    machine: import("./machine").Machine;
    sections: Partial<Record<SectionResult["id"], SectionResult>>;
}
