/**
 * A deep copy of plain data (JSON's: undefined fields are dropped), the one copy idiom of
 * the code: rendered objects are copied before a caller changes them.
 */
export function copyData<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** `value` without its undefined fields (an optional field left out, not set to undefined). */
export function definedFields<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
        [K in keyof T]: Exclude<T[K], undefined>;
    };
}
