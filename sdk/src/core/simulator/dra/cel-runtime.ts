/**
 * DRA selectors on @bufbuild/cel (see ./cel.ts for the semantics): the environment with
 * Kubernetes' Quantity and Semver types, the `device` variable, and the evaluation.
 * Loaded only when a selector is compiled: the library costs ~0.1 s to load.
 */
import { celEnv, celMap, isCelError, parse, plan } from "@bufbuild/cel";
import type { CelMap, CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { K8S_CEL_FUNCS, K8S_CEL_REGISTRY, quantityValue, semverValue } from "./cel-library";
import type { CompiledSelector, SelectorOutcome } from "./cel-outcome";
import type { Device, DeviceAttribute } from "./dra-objects";

const ENV = celEnv({ funcs: [...strings, ...K8S_CEL_FUNCS], registry: K8S_CEL_REGISTRY });

type Evaluator = (ctx: { device: CelValue }) => unknown;

/** Compiles one selector (unsupported when the library cannot parse it). */
export function compile(expression: string): CompiledSelector {
    let run: Evaluator | undefined;
    let compileError: string | undefined;
    try {
        run = plan(ENV, parse(expression)) as unknown as Evaluator;
    } catch (err) {
        compileError = `cannot parse the selector: ${(err as Error).message.split("\n")[0]}`;
    }
    return {
        expression,
        evaluate(driver, device) {
            if (!run) return { kind: "unsupported", message: compileError! };
            let input: CelValue;
            try {
                input = deviceValue(driver, device);
            } catch (err) {
                return { kind: "error", message: (err as Error).message };
            }
            const result = run({ device: input });
            if (isCelError(result)) return classify(result.message);
            if (typeof result !== "boolean")
                return { kind: "error", message: `CEL result of type ${typeof result} could not be converted to bool` };
            return { kind: "value", matches: result };
        },
    };
}

/** A library gap is "unsupported"; anything else is the runtime error cel-go would raise, in its words. */
function classify(message: string): SelectorOutcome {
    if (/^(unbound function|unresolved attribute|unsupported)/.test(message))
        return { kind: "unsupported", message: `the selector uses what the simulation does not evaluate (${message})` };
    const missing = /^field not found: (.*)$/.exec(message);
    if (missing) return { kind: "error", message: `no such key: ${missing[1]}` };
    return { kind: "error", message };
}

/** The `device` variable: what cel.DeviceMatches builds from a device. */
function deviceValue(driver: string, device: Device): CelValue {
    const attributes = new Map<string, Map<string, unknown>>();
    for (const [name, attr] of Object.entries(device.attributes ?? {})) {
        const [domain, id] = qualified(name, driver);
        if (!attributes.has(domain)) attributes.set(domain, new Map());
        attributes.get(domain)!.set(id, attributeValue(name, attr));
    }
    const capacity = new Map<string, Map<string, unknown>>();
    for (const [name, cap] of Object.entries(device.capacity ?? {})) {
        const [domain, id] = qualified(name, driver);
        if (!capacity.has(domain)) capacity.set(domain, new Map());
        capacity.get(domain)!.set(id, quantityValue(String(cap.value)));
    }
    return new Map<string, unknown>([
        ["driver", driver],
        ["allowMultipleAllocations", device.allowMultipleAllocations === true],
        ["attributes", new DomainMap(attributes)],
        ["capacity", new DomainMap(capacity)],
    ]) as unknown as CelValue;
}

function qualified(name: string, driver: string): [string, string] {
    const slash = name.indexOf("/");
    return slash < 0 ? [driver, name] : [name.slice(0, slash), name.slice(slash + 1)];
}

function attributeValue(name: string, attr: DeviceAttribute): unknown {
    if (attr.int !== undefined) return BigInt(attr.int);
    if (attr.bool !== undefined) return attr.bool;
    if (attr.string !== undefined) return attr.string;
    if (attr.version !== undefined) {
        try {
            return semverValue(attr.version);
        } catch (err) {
            throw new Error(`attribute ${name}: parse semantic version: ${(err as Error).message}`, { cause: err });
        }
    }
    throw new Error(`attribute ${name}: unsupported attribute value`);
}

// @bufbuild/cel recognises its maps by this registered symbol (map.ts): a map of our own
// makes lookups of an unknown domain return an empty map while `in` still says it is absent
const CEL_MAP = Symbol.for("@bufbuild/cel/map");

/** Kubernetes' newStringInterfaceMapWithDefault: an unknown domain is an empty map. */
class DomainMap {
    readonly [CEL_MAP] = {};
    private readonly inner: CelMap;
    constructor(entries: Map<string, Map<string, unknown>>) {
        this.inner = toCelMap(entries);
    }
    get size(): number {
        return this.inner.size;
    }
    get(key: unknown): CelValue | undefined {
        return this.inner.get(key as string) ?? toCelMap(new Map());
    }
    has(key: unknown): boolean {
        return this.inner.has(key as string);
    }
    forEach(cb: (v: CelValue, k: unknown, m: unknown) => void, thisArg?: unknown): void {
        this.inner.forEach((v, k) => cb.call(thisArg, v, k, this));
    }
    entries() {
        return this.inner.entries();
    }
    keys() {
        return this.inner.keys();
    }
    values() {
        return this.inner.values();
    }
    [Symbol.iterator]() {
        return this.inner.entries();
    }
}

function toCelMap(m: ReadonlyMap<string, unknown>): CelMap {
    return celMap(m as never);
}
