/**
 * Server-side apply's conflict rule on plain objects: another manager's field that the
 * desired object sets to another value is a conflict; a field it does not set, one set
 * to the same value, and status writers are not.
 */
import { fieldConflicts } from "../../../sdk/src/core/managed-fields";

const ours = (m: string) => m.startsWith("pulumi-kubernetes-");

/** A PodTemplate as the API server returns it after `kubectl edit` changed the CPU limit and added an annotation. */
const live = {
    metadata: {
        name: "train",
        annotations: { "pulumi-flyte.io/profile": "gke", "team.example.com/owner": "ops" },
        managedFields: [
            {
                manager: "pulumi-kubernetes-0a1b2c3d",
                operation: "Apply",
                fieldsType: "FieldsV1",
                fieldsV1: {
                    "f:metadata": { "f:annotations": { "f:pulumi-flyte.io/profile": {} } },
                    "f:template": {
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"primary"}': {
                                    ".": {},
                                    "f:name": {},
                                    "f:image": {},
                                    "f:resources": { "f:limits": { "f:cpu": {} } },
                                },
                            },
                        },
                    },
                },
            },
            {
                manager: "kubectl-edit",
                operation: "Update",
                time: "2026-12-08T01:00:00Z",
                fieldsType: "FieldsV1",
                fieldsV1: {
                    "f:metadata": { "f:annotations": { "f:team.example.com/owner": {} } },
                    "f:template": {
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"primary"}': { "f:resources": { "f:limits": { "f:cpu": {} } } },
                            },
                        },
                    },
                },
            },
            {
                manager: "kube-controller-manager",
                operation: "Update",
                subresource: "status",
                fieldsType: "FieldsV1",
                fieldsV1: { "f:status": { "f:active": {} } },
            },
        ],
    },
    template: { spec: { containers: [{ name: "primary", image: "app:1", resources: { limits: { cpu: "4" } } }] } },
};

const desired = (cpu: string) => ({
    metadata: { name: "train", annotations: { "pulumi-flyte.io/profile": "gke" } },
    template: { spec: { containers: [{ name: "primary", image: "app:1", resources: { limits: { cpu } } }] } },
});

describe("fieldConflicts", () => {
    it("names the field another manager changed to a value the program does not declare", () => {
        expect(fieldConflicts(live, desired("2"), ours)).toEqual([
            {
                manager: "kubectl-edit",
                operation: "Update",
                time: "2026-12-08T01:00:00Z",
                path: ".template.spec.containers[name=primary].resources.limits.cpu",
            },
        ]);
    });

    it("a field set to the value the program declares is shared, not a conflict (the change was adopted)", () => {
        expect(fieldConflicts(live, desired("4"), ours)).toEqual([]);
    });

    it("a field the program does not set (an annotation of the operator's) is theirs", () => {
        const d = desired("4");
        expect(fieldConflicts(live, { ...d, metadata: { ...d.metadata, annotations: {} } }, ours)).toEqual([]);
    });

    it("items of a set and of a list by index are followed too", () => {
        const obj = {
            metadata: {
                managedFields: [
                    {
                        manager: "helm",
                        operation: "Apply",
                        fieldsType: "FieldsV1",
                        fieldsV1: {
                            "f:spec": { "f:finalizers": { 'v:"a"': {} }, "f:ports": { "i:0": { "f:port": {} } } },
                        },
                    },
                ],
            },
            spec: { finalizers: ["a"], ports: [{ port: 80 }] },
        };
        expect(fieldConflicts(obj, { spec: { finalizers: ["a"], ports: [{ port: 8080 }] } }, ours)).toEqual([
            { manager: "helm", operation: "Apply", path: ".spec.ports[0].port", time: undefined },
        ]);
    });
});
