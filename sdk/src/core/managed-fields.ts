/*
 * Server-side apply's conflict rule on plain objects: applying an object conflicts where
 * another field manager owns a field that the applied object sets to a different value
 * (https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts). Owned
 * fields are read from `metadata.managedFields[].fieldsV1`: `f:<name>` a field, `k:<json>`
 * a list item by its keys, `v:<json>` a set item by value, `i:<n>` a list item by index,
 * `.` the item itself.
 */

/** One managedFields entry, as the API server returns it. */
export interface ManagedFieldsEntry {
    manager?: string;
    operation?: string;
    subresource?: string;
    time?: string;
    fieldsType?: string;
    fieldsV1?: Record<string, unknown>;
}

/** A field of another manager that an apply of the desired object would change. */
export interface FieldConflict {
    manager: string;
    operation: string;
    time?: string;
    /** The field, as `.template.spec.containers[name=primary].image`. */
    path: string;
}

type Segment = { field: string } | { keys: Record<string, unknown> } | { value: unknown } | { index: number };

/** The leaf fields an entry owns, as paths of segments. */
function ownedLeaves(fields: Record<string, unknown>, prefix: Segment[] = []): Segment[][] {
    const out: Segment[][] = [];
    for (const [key, child] of Object.entries(fields)) {
        if (key === ".") continue;
        const segment = parseSegment(key);
        if (!segment) continue;
        const path = [...prefix, segment];
        const inner = child && typeof child === "object" ? (child as Record<string, unknown>) : {};
        const deeper = Object.keys(inner).filter((k) => k !== ".");
        if (deeper.length === 0) out.push(path);
        else out.push(...ownedLeaves(inner, path));
    }
    return out;
}

function parseSegment(key: string): Segment | undefined {
    const body = key.slice(2);
    try {
        if (key.startsWith("f:")) return { field: body };
        if (key.startsWith("k:")) return { keys: JSON.parse(body) as Record<string, unknown> };
        if (key.startsWith("v:")) return { value: JSON.parse(body) };
        if (key.startsWith("i:")) return { index: Number(body) };
    } catch {
        return undefined;
    }
    return undefined;
}

const MISSING = Symbol("missing");

function step(value: unknown, segment: Segment): unknown {
    if ("field" in segment) {
        if (!value || typeof value !== "object" || Array.isArray(value)) return MISSING;
        const v = (value as Record<string, unknown>)[segment.field];
        return v === undefined ? MISSING : v;
    }
    if (!Array.isArray(value)) return MISSING;
    if ("index" in segment) return segment.index < value.length ? value[segment.index] : MISSING;
    if ("value" in segment) return value.some((v) => same(v, segment.value)) ? segment.value : MISSING;
    const found = value.find(
        (item) =>
            item &&
            typeof item === "object" &&
            Object.entries(segment.keys).every(([k, v]) => same((item as Record<string, unknown>)[k], v)),
    );
    return found === undefined ? MISSING : found;
}

function valueAt(obj: unknown, path: Segment[]): unknown {
    let v: unknown = obj;
    for (const segment of path) {
        v = step(v, segment);
        if (v === MISSING) return MISSING;
    }
    return v;
}

/** Deep equality of JSON values (numbers and their string forms differ, as in Kubernetes). */
function same(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) {
        const bb = b as unknown[];
        return a.length === bb.length && a.every((x, i) => same(x, bb[i]));
    }
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
        ka.length === kb.length &&
        ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
}

function render(path: Segment[]): string {
    return path
        .map((s) =>
            "field" in s
                ? `.${s.field}`
                : "keys" in s
                  ? `[${Object.entries(s.keys)
                        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
                        .join(",")}]`
                  : "index" in s
                    ? `[${s.index}]`
                    : `[${JSON.stringify(s.value)}]`,
        )
        .join("");
}

/**
 * The fields an apply of `desired` would take from another manager: owned by a manager
 * `ours` does not accept (status writers excluded: a subresource entry), set by
 * `desired`, and different in `live`. A field another manager owns with the value we
 * apply is shared, not a conflict; one we do not set is not ours to take.
 */
export function fieldConflicts(
    live: { metadata?: { managedFields?: ManagedFieldsEntry[] } },
    desired: unknown,
    ours: (manager: string) => boolean,
): FieldConflict[] {
    const out: FieldConflict[] = [];
    for (const entry of live.metadata?.managedFields ?? []) {
        const manager = entry.manager ?? "(unnamed manager)";
        if (ours(manager) || entry.subresource || entry.fieldsType !== "FieldsV1" || !entry.fieldsV1) continue;
        for (const path of ownedLeaves(entry.fieldsV1)) {
            const want = valueAt(desired, path);
            if (want === MISSING) continue;
            // a field we set whose value is a map or list we own in full is compared as a whole
            if (same(want, valueAt(live, path))) continue;
            out.push({ manager, operation: entry.operation ?? "Update", time: entry.time, path: render(path) });
        }
    }
    return out;
}
