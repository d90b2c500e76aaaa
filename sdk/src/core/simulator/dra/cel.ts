/**
 * DRA's CEL selectors, evaluated as the scheduler evaluates them
 * (k8s.io/dynamic-resource-allocation/cel) by a maintained CEL implementation,
 * @bufbuild/cel, with Kubernetes' Quantity and Semver types (./cel-library.ts):
 *
 * - `device.driver`, `device.allowMultipleAllocations`, `device.attributes[domain][id]`,
 *   `device.capacity[domain][id]` (a Quantity); an unqualified attribute or capacity
 *   belongs to the driver's domain;
 * - `device.attributes["unknown.domain"]` is an empty map (no error), but a missing
 *   attribute inside a domain is a runtime error ("no such key"), which makes the
 *   scheduler give up on the pod (not only on the node);
 * - `&&` / `||` absorb errors as CEL specifies (`false && error` is false either way
 *   round), which is why drivers' classes test `device.driver` first.
 *
 * What the library does not evaluate is reported as unsupported, never guessed: the
 * optional syntax (`.?`, `orValue`), `cel.bind`, the `sets.*`, `lists.*` and two-variable
 * comprehension extensions, the Kubernetes list, regex `find`, URL, IP, CIDR and format
 * libraries, and list-typed attributes (alpha).
 *
 * The library is loaded by the first selector compiled (./cel-runtime.ts): programs
 * without DRA never load it.
 */
import type { CompiledSelector } from "./cel-outcome";

export type { CompiledSelector, SelectorOutcome } from "./cel-outcome";

/** Compiles one selector (unsupported when the library cannot parse it). */
export function compileSelector(expression: string): CompiledSelector {
    // Node's module cache loads the runtime once
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: ~0.1 s that programs without DRA do not pay
    const runtime: typeof import("./cel-runtime") = require("./cel-runtime");
    return runtime.compile(expression);
}
