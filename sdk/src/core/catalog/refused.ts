/**
 * Devices flyte-sdk names that no Kubernetes cluster can be asked for: one row per
 * device, with the reason every refusal gives (in accelerator strings and Device literals).
 */
export interface RefusedDevice {
    /** flyte-sdk's device name, as written in `gpu="AppleSilicon:1"`. */
    readonly name: string;
    /** flyte-sdk's device class. */
    readonly deviceClass: string;
    readonly reason: string;
}

// prettier-ignore
export const REFUSED_DEVICES: readonly RefusedDevice[] = [
    {
        name: "AppleSilicon",
        deviceClass: "APPLE_SILICON",
        reason: "Apple Silicon is the Metal GPU of the Mac a flyte devbox runs on (flyte runs such a task natively on the Mac, outside any container); no Kubernetes node advertises it (no device plugin, resource name or node label exists), so a pod cannot request it: run the task on a devbox, or request a cluster GPU",
    },
];
