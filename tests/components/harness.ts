import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../../sdk/src/core/errors";
import { resetProgramState } from "../../sdk/src/runtime/program-state";

/** Every resource the program registered, as the engine saw it. */
export interface Registration {
    type: string;
    name: string;
    inputs: any;
    provider?: string;
    custom: boolean;
}

export const registrations: Registration[] = [];

/**
 * The preamble of every component test file: installs Pulumi mocks that record every
 * registration, and starts each test as a new program (`reset` before each). Call at
 * the top of the file, before importing the code under test.
 */
export function installMocks(options: { preview?: boolean; project?: string; stack?: string } = {}): void {
    beforeEach(reset);
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                registrations.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    provider: args.provider,
                    custom: args.custom ?? true,
                });
                const state = { ...args.inputs };
                if (args.type === "docker-build:index:Image") {
                    state.digest = "sha256:" + "a".repeat(64);
                    state.ref = `${args.inputs.tags?.[0]}@${state.digest}`;
                    state.contextHash = "c".repeat(64);
                }
                return { id: `${args.name}-id`, state };
            },
            call(args) {
                return args.inputs;
            },
        },
        options.project ?? "flyte-test",
        options.stack ?? "dev",
        options.preview ?? false,
    );
}

/** A new program: no registration recorded, no program state (runtime/program-state.ts) left. */
export function reset(): void {
    registrations.length = 0;
    resetProgramState();
}

/** Resolves an Output's value (and whether it is secret) in tests. */
export async function resolve<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((res) =>
        o.apply((v) => {
            res(v);
            return v;
        }),
    );
    const secret = await (o as any).isSecret;
    return { value, secret };
}

/** Waits until registrations settle (resources register asynchronously). */
export async function settle(...resources: pulumi.Resource[]): Promise<void> {
    await Promise.all(resources.map((r) => new Promise((res) => r.urn.apply(res))));
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
}

export function ofType(type: string): Registration[] {
    return registrations.filter((r) => r.type === type);
}

/** The engine's marker for a secret value in serialized inputs (Pulumi's own constants). */
const SECRET_SIG = pulumi.runtime.specialSigKey;
const SECRET_VALUE = pulumi.runtime.specialSecretSig;

export function isSecretInput(value: unknown): boolean {
    return !!value && typeof value === "object" && (value as any)[SECRET_SIG] === SECRET_VALUE;
}

/** Strips secret markers, recursively, to compare plain values. */
export function plain(value: any): any {
    if (isSecretInput(value)) return plain(value.value);
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return value;
}

/** `construct` throws a ValidationError for `field`, and nothing was registered. */
export function expectRejectedBeforeRegistering(construct: () => unknown, field: string): void {
    const error = thrownBy(construct);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(registrations).toEqual([]);
}

/** What `fn` throws (undefined if it returns). */
export function thrownBy(fn: () => unknown): unknown {
    try {
        fn();
    } catch (e) {
        return e;
    }
    return undefined;
}
