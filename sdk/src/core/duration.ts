import { ValidationError } from "./errors";

/**
 * Seconds, or a Go-style duration string such as "90s", "30m", "1h30m", or "0" (as in
 * Go: the one duration without a unit). 0 is Flyte's "no timeout".
 */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Longest duration accepted: Kubernetes stores seconds as int64, and beyond 2^53 a
 * JavaScript number is not exact (a huge value would even become Infinity, which JSON
 * writes as null: the deadline would silently disappear).
 */
export const MAX_DURATION_SECONDS = Number.MAX_SAFE_INTEGER;

export function durationSeconds(field: string, value: unknown): number {
    let seconds: number | undefined;
    if (typeof value === "number") {
        if (Number.isInteger(value) && value >= 0) seconds = value;
    } else if (value === "0") {
        seconds = 0;
    } else if (typeof value === "string" && value !== "") {
        const m = DURATION.exec(value);
        if (m)
            seconds = [m[1], m[2], m[3], m[4]].reduce(
                (sum, n, i) => sum + (n ? Number(n) * UNIT_SECONDS["dhms"[i]] : 0),
                0,
            );
    }
    if (seconds === undefined) {
        throw new ValidationError(
            field,
            value,
            'expected a duration: whole seconds (e.g. 3600) or a string like "90s", "30m", "1h30m", "2d" (or "0")',
        );
    }
    if (!Number.isSafeInteger(seconds))
        throw new ValidationError(field, value, `a duration of at most ${MAX_DURATION_SECONDS} seconds`);
    return seconds;
}
