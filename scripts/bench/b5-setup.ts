import { SectionResult } from "./types";

export async function b5(_opts: { quick: boolean }): Promise<SectionResult> {
    return { id: "B5", title: "Cold set-up of the toolchain and the platform", date: new Date().toISOString(), status: "skipped", reason: "not implemented yet", ratios: [], tables: [], notes: [] };
}
