import * as pulumi from "@pulumi/pulumi";

/**
 * True under `pulumi.runtime.setMocks` (unit and component tests): nothing may leave the
 * process unless a test asks for it (no registry lookup, no cluster read, no build).
 * setMocks installs a MockMonitor, a monitor carrying the test's mocks.
 */
export function underMocks(): boolean {
    try {
        const monitor = (
            pulumi.runtime as unknown as {
                getMonitor?: () => { constructor?: { name?: string }; mocks?: unknown } | undefined;
            }
        ).getMonitor?.();
        if (!monitor) return false;
        return (
            monitor.constructor?.name === "MockMonitor" || (typeof monitor.mocks === "object" && monitor.mocks !== null)
        );
    } catch {
        return false;
    }
}
