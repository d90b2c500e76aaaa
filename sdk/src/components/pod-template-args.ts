import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { anyOutputPlaceholders, restoreOutputs } from "../core/podtemplate/base";
import { Rendered } from "../core/podtemplate/render";
import { copyData } from "../core/objects";
import { ObjectMeta, PodTemplate, PodTemplateSpec, ResourceClaimTemplate } from "../core/podtemplate/kube-types";

/**
 * A rendered pod template as a resource argument: the primary container's image (and
 * any value of the user's base template) may be an Output, so containers are open records.
 */
export interface PodTemplateSpecArgs {
    metadata?: ObjectMeta;
    spec: { containers: ({ name: string } & Record<string, unknown>)[]; [field: string]: unknown };
}

/** A rendered template whose primary container image is a (possibly unknown) Output. */
export interface PodTemplateWithImage {
    readonly podTemplate: PodTemplate;
    readonly template: PodTemplateSpecArgs;
}

/**
 * Replaces the primary container's image with the Output of the build, so only that
 * field is unknown while an image builds (the rest of the diff stays readable).
 */
export function withImage(rendered: Rendered, image: pulumi.Input<string>): PodTemplateWithImage {
    return {
        podTemplate: rendered.podTemplate,
        template: templateWithImage(rendered.podTemplate.template, rendered.primaryContainerName, image),
    };
}

export function templateWithImage(
    template: PodTemplateSpec,
    primary: string,
    image: pulumi.Input<string>,
): PodTemplateSpecArgs {
    // Outputs of the user's base pod template come back where their placeholders ended up;
    // without any, a copy of the two levels changed here is enough (a deep copy of every
    // template was 2% of a program's CPU: bench B1)
    const copy: PodTemplateSpecArgs = anyOutputPlaceholders()
        ? restoreOutputs(copyData(template))
        : { ...template, spec: { ...template.spec } };
    copy.spec.containers = copy.spec.containers.map((c) => (c.name === primary ? { ...c, image } : c));
    return copy;
}

export function podTemplateArgs(
    t: PodTemplateWithImage,
    namespace: pulumi.Input<string> | undefined,
): k8s.core.v1.PodTemplateArgs {
    const metadata = t.podTemplate.metadata;
    return {
        metadata: { ...metadata, ...(namespace !== undefined ? { namespace } : {}) },
        // the renderer's object is a core/v1 PodTemplateSpec; its open records are not typed as one
        template: t.template as k8s.types.input.core.v1.PodTemplateSpec,
    };
}

/**
 * Registers a ResourceClaimTemplate (resource.k8s.io/v1). @pulumi/kubernetes 4.25 (the
 * newest release whose provider the Go module proxy serves) has no resource.k8s.io/v1
 * types: the object goes through the provider's generic resource (CustomResource), which
 * it handles by discovery like any kind. A template's spec is immutable in the API
 * server: a change replaces it (deleted first: its name is fixed).
 */
export function registerClaimTemplate(
    name: string,
    template: ResourceClaimTemplate,
    namespace: pulumi.Input<string> | undefined,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: template.apiVersion,
            kind: template.kind,
            metadata: { ...template.metadata, ...(namespace !== undefined ? { namespace } : {}) },
            spec: template.spec,
        },
        { ...opts, replaceOnChanges: ["spec"], deleteBeforeReplace: true },
    );
}
