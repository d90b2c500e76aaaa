import { ValidationError } from "./errors";

/** Seconds, or a Go-style duration string such as "90s", "30m", "1h30m". */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function durationSeconds(field: string, value: unknown): number {
    if (typeof value === "number") {
        if (Number.isInteger(value) && value >= 0) return value;
    } else if (typeof value === "string" && value !== "") {
        const m = DURATION.exec(value);
        if (m) return [m[1], m[2], m[3], m[4]].reduce((sum, n, i) => sum + (n ? Number(n) * UNIT_SECONDS["dhms"[i]] : 0), 0);
    }
    throw new ValidationError(field, value, "expected a duration: whole seconds (e.g. 3600) or a string like \"90s\", \"30m\", \"1h30m\", \"2d\"");
}
