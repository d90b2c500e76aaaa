import { SectionResult } from "./types";

export async function b3(_opts: { sdk: string }): Promise<SectionResult> {
    return { id: "B3", title: "The quickstart: no-change up, and one image shared by three stacks", date: new Date().toISOString(), status: "skipped", reason: "not implemented yet", ratios: [], tables: [], notes: [] };
}
