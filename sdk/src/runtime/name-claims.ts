import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../core/errors";
import { programSlot } from "./program-state";

/**
 * Kubernetes object names claimed by this program, per namespace and kind. Flyte
 * names map to DNS labels ("data_prep" and "data-prep" both become "data-prep"), so
 * two environments could otherwise write the same object; this catches it before
 * anything registers.
 */
const state = programSlot("name claims", () => ({
    /** `<namespace>/<kind>/<name>` -> its owner (who, and which claimant: two components of one name are two owners). */
    claims: new Map<string, { owner: string; claimant: unknown }>(),
    /** Namespaces given as Outputs, told apart by identity. */
    namespaceIds: new WeakMap<object, string>(),
    nextNamespaceId: 0,
}));

function namespaceKey(namespace: pulumi.Input<string> | undefined): string {
    if (namespace === undefined) return "(default namespace)";
    if (typeof namespace === "string") return namespace;
    const s = state();
    let id = s.namespaceIds.get(namespace as object);
    if (!id) {
        id = `(namespace #${s.nextNamespaceId++})`;
        s.namespaceIds.set(namespace as object, id);
    }
    return id;
}

/** Why two owners met on one name, and what to do: the default suits names derived from Flyte names. */
export const DERIVED_NAMES_HINT = 'Kubernetes names replace "_" with "-", so choose names that stay distinct';

/**
 * Claims the object `<kind> <namespace>/<name>` for `owner`: one owner per Kubernetes
 * object in a program (two components declaring one object overwrite each other's data,
 * or fail the update on it). Throws, naming both, if another owner of this program has it.
 * `claimant` tells owners apart (default: every call is its own); a claim made again
 * for the same thing passes the same one (a task's full name: a task declared twice is
 * its environment's error, said there).
 */
export function claimName(
    field: string,
    namespace: pulumi.Input<string> | undefined,
    kind: string,
    name: string,
    owner: string,
    hint: string = DERIVED_NAMES_HINT,
    claimant: unknown = {},
): void {
    const ns = namespaceKey(namespace);
    const key = `${ns}/${kind}/${name}`;
    const { claims } = state();
    const holder = claims.get(key);
    if (holder !== undefined && holder.claimant !== claimant) {
        throw new ValidationError(
            field,
            owner,
            `its ${kind} would be named "${name}", like the one of ${holder.owner} (namespace ${ns}): one Kubernetes object has one owner; ${hint}`,
        );
    }
    claims.set(key, { owner, claimant });
}
