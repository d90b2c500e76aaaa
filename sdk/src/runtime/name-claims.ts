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
    /** `<namespace>/<kind>/<name>` -> its owner. */
    claims: new Map<string, string>(),
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

/** Claims `name` for `owner`; throws if another owner of this program has it. */
export function claimName(
    field: string,
    namespace: pulumi.Input<string> | undefined,
    kind: string,
    name: string,
    owner: string,
): void {
    const key = `${namespaceKey(namespace)}/${kind}/${name}`;
    const { claims } = state();
    const holder = claims.get(key);
    if (holder !== undefined && holder !== owner) {
        throw new ValidationError(
            field,
            owner,
            `its ${kind} would be named "${name}", like the one of ${holder}; Kubernetes names replace "_" with "-", so choose names that stay distinct`,
        );
    }
    claims.set(key, owner);
}
