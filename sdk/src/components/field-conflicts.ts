/**
 * Server-side apply field conflicts, said before the Kubernetes provider meets them: in a
 * `pulumi up`, each object this program declares is compared with its live copy, whose
 * `managedFields` say which field manager set each field. A field another manager owns
 * (an operator's `kubectl edit`, another tool) that the program would set to another value
 * is a conflict: the update fails on that object, naming it, the other manager, the
 * fields, and the two ways out (take the change back, or adopt it into the program),
 * instead of the provider's "Server-Side Apply field conflict detected".
 *
 * The live copies come from one labelled list (`app.kubernetes.io/managed-by=pulumi-flyte`)
 * per kind and namespace per `preview` or `up`, shared by every object of the program.
 * A preview checks too: the Kubernetes provider's preview is a server-side dry-run apply
 * that meets the same conflict (and `pulumi up` previews first), so the preview fails with
 * this message, and with `take-back` it shows the result (the dry run forced; the update
 * itself drops the other managers' claims first). In a preview, an object whose values
 * are not known yet (an image still to be built) is left to the update. Tests under mocks
 * never read the cluster; a cluster this client cannot read (no kubeconfig, exec plugins,
 * a refused list) leaves the check out (the provider reports).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { FieldConflict, ManagedFieldsEntry, fieldConflicts } from "../core/managed-fields";
import { KUEUE_API_VERSION } from "../core/queue/kueue";
import { LABELS } from "../core/podtemplate/render";
import { parseWith } from "../core/validate";
import { KubeApi, kubeApi, servesKubeconfig } from "../kube/client";
import { loadKubeconfig } from "../kube/kubeconfig";
import { underMocks } from "../runtime/mocks";
import { programSlot } from "../runtime/program-state";
import { stackKubeconfig, stackNamespace } from "../runtime/stack-kubeconfig";

/** Stack config read here: what to do on a conflict (`fail`, the default, or `take-back`). */
export const FIELD_CONFLICT_STACK_CONFIG_KEYS = ["fieldConflicts"] as const;
const MODES = ["fail", "take-back"] as const;
type Mode = (typeof MODES)[number];

/** Where each kind we declare is listed. */
const COLLECTIONS = {
    PodTemplate: (ns: string) => `/api/v1/namespaces/${ns}/podtemplates`,
    Secret: (ns: string) => `/api/v1/namespaces/${ns}/secrets`,
    Service: (ns: string) => `/api/v1/namespaces/${ns}/services`,
    Job: (ns: string) => `/apis/batch/v1/namespaces/${ns}/jobs`,
    CronJob: (ns: string) => `/apis/batch/v1/namespaces/${ns}/cronjobs`,
    Deployment: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`,
    LocalQueue: (ns: string) => `/apis/${KUEUE_API_VERSION}/namespaces/${ns}/localqueues`,
    ClusterQueue: () => `/apis/${KUEUE_API_VERSION}/clusterqueues`,
    ResourceFlavor: () => `/apis/${KUEUE_API_VERSION}/resourceflavors`,
} as const;
export type DeclaredKind = keyof typeof COLLECTIONS;
/** Kinds without a namespace (listed once per program). */
const CLUSTER_SCOPED: ReadonlySet<DeclaredKind> = new Set(["ClusterQueue", "ResourceFlavor"]);

/** How messages name an object: `ns/name`, or the name of a cluster-scoped one. */
const objectRef = (kind: DeclaredKind, namespace: string, name: string) =>
    CLUSTER_SCOPED.has(kind) ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;

interface LiveObject {
    metadata?: { name?: string; resourceVersion?: string; managedFields?: ManagedFieldsEntry[] };
}

/** The Kubernetes provider's field managers (`pulumi-kubernetes-<id>`, or `pulumi-kubernetes` with client-side apply). */
const isPulumis = (manager: string) => manager === "pulumi-kubernetes" || manager.startsWith("pulumi-kubernetes-");

const state = programSlot("field conflict check", () => ({
    client: undefined as { api: KubeApi; namespace: string } | null | undefined,
    lists: new Map<string, Promise<Map<string, LiveObject> | undefined>>(),
    /** For measurements: lists made and their time, objects compared and their time. */
    listed: 0,
    listMs: 0,
    compared: 0,
    compareMs: 0,
}));

/** How many labelled lists this program made and how long they took (ms); how many objects it compared, in how long (ms). */
export function fieldConflictListing(): { lists: number; ms: number; objects: number; compareMs: number } {
    const s = state();
    return { lists: s.listed, ms: s.listMs, objects: s.compared, compareMs: s.compareMs };
}

/** The annotation that makes the Kubernetes provider's apply take fields other managers own (its dry run in a take-back preview). */
const PATCH_FORCE = "pulumi.com/patchForce";

function mode(): Mode {
    const value = new pulumi.Config("flyte").get("fieldConflicts");
    return value === undefined ? "fail" : parseWith(z.enum(MODES), value, "flyte:fieldConflicts");
}

function client(): { api: KubeApi; namespace: string } | undefined {
    const s = state();
    if (s.client === undefined) {
        try {
            const loaded = loadKubeconfig(stackKubeconfig());
            s.client = servesKubeconfig(loaded) ? { api: kubeApi(loaded), namespace: stackNamespace() } : null;
        } catch {
            s.client = null;
        }
    }
    return s.client ?? undefined;
}

/** Our objects of a kind in a namespace, by name: one labelled list per kind and namespace per program. */
function liveObjects(kind: DeclaredKind, namespace: string): Promise<Map<string, LiveObject> | undefined> {
    const s = state();
    const key = `${kind} ${namespace}`;
    let list = s.lists.get(key);
    if (!list) {
        list = (async () => {
            const c = client();
            if (!c) return undefined;
            const t0 = performance.now();
            const selector = encodeURIComponent(`${LABELS.managedBy}=pulumi-flyte`);
            try {
                const res = await c.api.get(
                    `${COLLECTIONS[kind](encodeURIComponent(namespace))}?labelSelector=${selector}`,
                );
                if (res.status !== 200) return undefined;
                const items = (res.body as { items?: LiveObject[] } | undefined)?.items ?? [];
                return new Map(items.map((o) => [o.metadata?.name ?? "", o]));
            } catch {
                return undefined;
            } finally {
                s.listed++;
                s.listMs += performance.now() - t0;
            }
        })();
        s.lists.set(key, list);
    }
    return list;
}

/** `value` for the message: short, never a Secret's. */
function shown(value: unknown): string {
    const text = JSON.stringify(value);
    return text === undefined ? "(not set)" : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The error of a conflict: the object, the other manager, the fields, the choices. */
export function conflictMessage(
    kind: DeclaredKind,
    namespace: string,
    name: string,
    owner: string,
    conflicts: readonly (FieldConflict & { live?: unknown; declared?: unknown })[],
): string {
    const byManager = new Map<string, (FieldConflict & { live?: unknown; declared?: unknown })[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c]);
    const who = [...byManager.entries()]
        .map(([manager, cs]) => {
            const when = cs[0].time ? ` at ${cs[0].time}` : "";
            const fields = cs
                .slice(0, 5)
                .map((c) =>
                    kind === "Secret"
                        ? c.path
                        : `${c.path} (now ${shown(c.live)}; the program declares ${shown(c.declared)})`,
                )
                .join(", ");
            return `field manager "${manager}" (${cs[0].operation}${when}) set ${fields}${cs.length > 5 ? ` and ${cs.length - 5} more` : ""}`;
        })
        .join("; ");
    return (
        `${objectRef(kind, namespace, name)} (of ${owner}) was changed outside this program: ${who}. ` +
        "Applying the program would be a server-side apply conflict. Either take the change back: " +
        "`pulumi config set flyte:fieldConflicts take-back`, then `pulumi up` (the program's values replace the change and it owns the fields again); " +
        "or adopt it: declare the changed values in the program, then `pulumi up`"
    );
}

/**
 * `args` with its metadata held back until the live copy of the object is checked for
 * another manager's fields (see the module comment): the object registers only if there
 * is no conflict, or once a `take-back` dropped the other managers' claims (in a preview:
 * with the provider's dry run forced, which shows the same result). Mocks get `args`
 * unchanged.
 */
export function checkedForConflicts<A extends { metadata?: pulumi.Input<object> }>(
    kind: DeclaredKind,
    args: A,
    owner: string,
    resource: pulumi.Resource,
    /** Conflicts that are by design (a field another controller owns, e.g. Kueue's spec.suspend of a queued Job). */
    expected?: (c: FieldConflict) => boolean,
): A {
    const onConflict = mode(); // a misspelled value fails at preview too
    if (underMocks()) return args;
    // secret values are compared here, never shown or stored: no secretness leaks into the metadata
    const desired = pulumi.unsecret(pulumi.output(args as unknown as Record<string, unknown>));
    const check = (d: Record<string, unknown>, metadata: unknown, preview: boolean) =>
        checkObject(kind, d, metadata, owner, resource, onConflict, preview, expected);
    if (!pulumi.runtime.isDryRun())
        return { ...args, metadata: desired.apply((d) => check(d, d.metadata, false)) } as A;
    // a preview: the metadata stays known; the object is compared when all its values are known now
    const metadata = pulumi.output(args.metadata).apply(async (m) => {
        const known = (desired as unknown as { isKnown?: Promise<boolean> }).isKnown;
        if (!(await known)) return m;
        const d = await new Promise<Record<string, unknown>>((resolve) => desired.apply((v) => void resolve(v)));
        return check(d, m, true);
    });
    return { ...args, metadata } as A;
}

/** Compares one declared object with its live copy: its metadata when there is no conflict (or it was taken back), else the error. */
async function checkObject(
    kind: DeclaredKind,
    d: Record<string, unknown>,
    metadata: unknown,
    owner: string,
    resource: pulumi.Resource,
    onConflict: Mode,
    preview: boolean,
    expected?: (c: FieldConflict) => boolean,
): Promise<unknown> {
    const m = (d.metadata ?? {}) as { name?: string; namespace?: string };
    const c = client();
    const namespace = CLUSTER_SCOPED.has(kind) ? "" : (m.namespace ?? c?.namespace ?? "default");
    const live = m.name ? (await liveObjects(kind, namespace))?.get(m.name) : undefined;
    if (!live || !m.name) return metadata;
    const ref = objectRef(kind, namespace, m.name);
    const s = state();
    const t0 = performance.now();
    const conflicts = fieldConflicts(live, kind === "Secret" ? asStored(d) : d, isPulumis).filter(
        (x) => !expected?.(x),
    );
    s.compared++;
    s.compareMs += performance.now() - t0;
    if (conflicts.length === 0) return metadata;
    if (onConflict === "take-back" && c) {
        const managers = [...new Set(conflicts.map((x) => x.manager))];
        const named = managers.map((x) => `"${x}"`).join(", ");
        if (preview) {
            pulumi.log.info(
                `${ref}: the update takes back the fields ${named} changed (flyte:fieldConflicts take-back); this preview shows it with the dry run forced (${PATCH_FORCE})`,
                resource,
            );
            const given = (metadata ?? {}) as { annotations?: Record<string, string> };
            return { ...given, annotations: { ...(given.annotations ?? {}), [PATCH_FORCE]: "true" } };
        }
        await dropManagers(c.api, kind, namespace, live, new Set(managers));
        pulumi.log.info(`${ref}: took back the fields ${named} changed (flyte:fieldConflicts take-back)`, resource);
        return metadata;
    }
    const detailed = conflicts.map((x) => ({ ...x, live: valueOf(live, x), declared: valueOf(d, x) }));
    pulumi.log.error(conflictMessage(kind, namespace, m.name, owner, detailed), resource);
    throw new pulumi.RunError(`${ref} was changed outside this program: see the error on ${owner}`);
}

/** A Secret as the API server stores it: `stringData` merged into `data`, base64. */
function asStored(secret: Record<string, unknown>): Record<string, unknown> {
    const { stringData, ...rest } = secret as { stringData?: Record<string, string>; data?: Record<string, string> };
    if (!stringData) return secret;
    const data = { ...((rest as { data?: Record<string, string> }).data ?? {}) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString("base64");
    return { ...rest, data };
}

/** The value at a conflict's rendered path, for the message (a simple walk of `.field` and `[key=value]`). */
function valueOf(obj: unknown, c: FieldConflict): unknown {
    let v: unknown = obj;
    for (const part of c.path.match(/\.[^.[]+|\[[^\]]*\]/g) ?? []) {
        if (v === undefined || v === null) return undefined;
        if (part.startsWith(".")) v = (v as Record<string, unknown>)[part.slice(1)];
        else if (Array.isArray(v)) {
            const inner = part.slice(1, -1);
            const eq = inner.indexOf("=");
            v =
                eq < 0
                    ? v[Number(inner)]
                    : v.find(
                          (item) =>
                              item &&
                              String((item as Record<string, unknown>)[inner.slice(0, eq)]) === inner.slice(eq + 1),
                      );
        } else return undefined;
    }
    return v;
}

/** Removes the managers' entries from the object's managedFields (the provider's apply then owns their fields). */
async function dropManagers(
    api: KubeApi,
    kind: DeclaredKind,
    namespace: string,
    live: LiveObject,
    managers: Set<string>,
): Promise<void> {
    const name = live.metadata?.name ?? "";
    const kept = (live.metadata?.managedFields ?? []).filter((e) => !managers.has(e.manager ?? ""));
    const patch = [
        { op: "test", path: "/metadata/resourceVersion", value: live.metadata?.resourceVersion },
        { op: "replace", path: "/metadata/managedFields", value: kept.length ? kept : [{}] },
    ];
    const path = `${COLLECTIONS[kind](encodeURIComponent(namespace))}/${encodeURIComponent(name)}`;
    const res = await api.request("PATCH", path, patch, "application/json-patch+json");
    if (res.status !== 200)
        throw new pulumi.RunError(
            `${objectRef(kind, namespace, name)}: could not take back the fields of ${[...managers].join(", ")} (HTTP ${res.status}: ${res.text.slice(0, 200)})`,
        );
}
