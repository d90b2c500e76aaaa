/**
 * What a program keeps from one component to the next, in one place: memos (the
 * cluster's nodes, the scheduling settings), claims (object names), registries (the
 * image builds, the Outputs of base pod templates), flags (a message said once). A
 * module asks for a slot here instead of keeping a variable of its own, so that
 * `resetProgramState()` starts a new program (the test harness calls it between
 * programs) and nothing is left behind that a reset forgets.
 *
 * This module imports nothing: the pure core may keep its registries here too.
 */

interface Slot {
    readonly init: () => object;
    value?: object;
}

const slots = new Map<string, Slot>();
const hooks = new Map<string, unknown>();
const exitActions = new Map<string, () => void>();
let exitHooked = false;

/**
 * Declares the slot `name` (once per module: a second declaration of the name is an
 * error) and returns its accessor: the slot's value, made by `init` on first use in
 * each program.
 */
export function programSlot<T extends object>(name: string, init: () => T): () => T {
    if (slots.has(name)) throw new Error(`program state: the slot "${name}" is declared twice`);
    const slot: Slot = { init };
    slots.set(name, slot);
    return () => (slot.value ??= slot.init()) as T;
}

/** Forgets every slot's value: the next program starts from each slot's `init`. Hooks and exit actions stay. */
export function resetProgramState(): void {
    for (const slot of slots.values()) slot.value = undefined;
}

/**
 * Wiring, not state: a module installs a function when it loads through which an inner
 * layer asks an outer one (the core's image defaults ask the stack config). A reset
 * keeps it.
 */
export function setHook<T>(name: string, fn: T | undefined): void {
    if (fn === undefined) hooks.delete(name);
    else hooks.set(name, fn);
}

export function getHook<T>(name: string): T | undefined {
    return hooks.get(name) as T | undefined;
}

/**
 * Runs `action` when the process exits (an ended, failed or interrupted program): one
 * listener for the process whatever the number of programs; `name` replaces an earlier
 * action of that name. Actions read the slots of the program in force then.
 */
export function atExit(name: string, action: () => void): void {
    exitActions.set(name, action);
    if (exitHooked) return;
    exitHooked = true;
    process.on("exit", () => exitActions.forEach((a) => a()));
}
