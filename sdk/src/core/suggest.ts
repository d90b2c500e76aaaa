/**
 * "Did you mean ...?": the closest allowed name to a mistyped one. Case differences
 * cost nothing extra beyond their edit (so "a100" finds "A100"), and a suggestion is
 * only made when the name is close enough to be a typo (one edit per four
 * characters, at least one). Linear in the number of candidates times the name lengths.
 */
export function closest(given: unknown, candidates: readonly string[]): string | undefined {
    if (typeof given !== "string" || given.length === 0 || given.length > 100) return undefined;
    const lower = given.toLowerCase();
    let best: string | undefined;
    let bestCost = Infinity;
    for (const c of candidates) {
        if (c === given) return undefined;
        const cost = c.toLowerCase() === lower ? 0.5 : distance(lower, c.toLowerCase());
        if (cost < bestCost) {
            best = c;
            bestCost = cost;
        }
    }
    const limit = Math.max(1, Math.floor(given.length / 4));
    return bestCost <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or "" */
export function didYouMean(given: unknown, candidates: readonly string[]): string {
    const c = closest(given, candidates);
    return c === undefined ? "" : `did you mean ${JSON.stringify(c)}? `;
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
function distance(a: string, b: string): number {
    if (Math.abs(a.length - b.length) > 40) return Infinity;
    let prev2: number[] = [];
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) {
            const sub = a[i - 1] === b[j - 1] ? 0 : 1;
            let v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + sub);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
            row.push(v);
        }
        prev2 = prev;
        prev = row;
    }
    return prev[b.length];
}
