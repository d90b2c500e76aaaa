import { importCycles, importGraph } from "../../scripts/import-cycles";

describe("the import graph of sdk/src", () => {
    it("has no cycle (type-only imports included)", () => {
        const graph = importGraph();
        expect(graph.size).toBeGreaterThan(50);
        expect(importCycles(graph).map((c) => c.join(" -> "))).toEqual([]);
    });

    it("the check finds cycles", () => {
        const graph = new Map([
            ["a", ["b"]],
            ["b", ["c"]],
            ["c", ["a", "d"]],
            ["d", []],
            ["e", ["e"]],
        ]);
        expect(importCycles(graph)).toEqual([
            ["a", "b", "c", "a"],
            ["e", "e"],
        ]);
    });
});
