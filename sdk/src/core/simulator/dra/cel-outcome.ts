/** What compiling and evaluating a DRA selector gives (./cel.ts). */
import type { Device } from "./dra-objects";

/** What evaluating one selector on one device gave. */
export type SelectorOutcome =
    | { kind: "value"; matches: boolean }
    /** A runtime error, as the scheduler would get it (e.g. "no such key: memory"). */
    | { kind: "error"; message: string }
    /** The expression uses something this library does not evaluate. */
    | { kind: "unsupported"; message: string };

export interface CompiledSelector {
    readonly expression: string;
    evaluate(driver: string, device: Device): SelectorOutcome;
}
