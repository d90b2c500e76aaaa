/**
 * Extended resources served by DRA (DRAExtendedResource, GA and locked on in v1.37):
 * a DeviceClass with `spec.extendedResourceName` (e.g. `nvidia.com/gpu`), or any class
 * through its implicit name `deviceclass.resource.kubernetes.io/<class>`, lets the
 * scheduler satisfy a pod's request for that resource from ResourceSlices on nodes
 * whose `status.allocatable` does not have it (the device plugin's nodes keep
 * counting allocatable). Which class serves a name follows the scheduler's
 * extended-resource cache: the newest class wins, the lower name breaks ties.
 */
import type { DeviceClass } from "./dra-objects";

export const IMPLICIT_PREFIX = "deviceclass.resource.kubernetes.io/";

/** Extended resource name -> the class that serves it. */
export type ExtendedResourceClasses = ReadonlyMap<string, DeviceClass>;

export function extendedResourceClasses(classes: readonly DeviceClass[]): ExtendedResourceClasses {
    const out = new Map<string, DeviceClass>();
    for (const cls of classes) {
        out.set(`${IMPLICIT_PREFIX}${cls.metadata.name}`, cls);
        const name = cls.spec?.extendedResourceName;
        if (!name) continue;
        const other = out.get(name);
        if (!other || newer(cls, other)) out.set(name, cls);
    }
    return out;
}

function newer(a: DeviceClass, b: DeviceClass): boolean {
    const ta = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
    if (ta !== tb) return ta > tb;
    return a.metadata.name < b.metadata.name;
}

/** Is this a name DRA may serve (an extended resource, or a class's implicit name)? */
export function isDraExtendedResourceName(name: string): boolean {
    if (name.startsWith(IMPLICIT_PREFIX)) return true;
    return name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
}
