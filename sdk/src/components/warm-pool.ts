import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { kubernetesName } from "../core/names";
import { LABELS, LABEL_PREFIX, Rendered } from "../core/podtemplate/render";
import { templateWithImage } from "./pod-template-args";

/** The name of a reusable environment's warm pool (its Deployment). */
export function warmPoolName(rendered: Rendered): string {
    return kubernetesName(rendered.name, "pool");
}

/** A reusable environment's warm replicas: a Deployment sized from `reusable.replicas` (its minimum). */
export function warmPoolDeployment(
    rendered: Rendered,
    image: pulumi.Input<string>,
    namespace: pulumi.Input<string> | undefined,
    command?: string[],
): k8s.apps.v1.DeploymentArgs {
    const reuse = rendered.settings.reusable!;
    const selector = {
        [LABELS.environment]: rendered.podTemplate.metadata.labels![LABELS.environment],
        [`${LABEL_PREFIX}/warm-pool`]: "true",
    };
    const template = templateWithImage(rendered.podTemplate.template, rendered.primaryContainerName, image);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), ...selector } };
    template.spec.restartPolicy = "Always";
    if (command) {
        template.spec.containers = template.spec.containers.map((c) =>
            c.name === rendered.primaryContainerName ? { ...c, command } : c,
        );
    }
    return {
        metadata: {
            name: warmPoolName(rendered),
            ...(namespace !== undefined ? { namespace } : {}),
            labels: { ...rendered.podTemplate.metadata.labels },
            annotations: {
                [`${LABEL_PREFIX}/max-replicas`]: String(reuse.maxReplicas),
                [`${LABEL_PREFIX}/concurrency`]: String(reuse.concurrency),
            },
        },
        spec: {
            replicas: reuse.minReplicas,
            selector: { matchLabels: selector },
            template: template as k8s.types.input.core.v1.PodTemplateSpec,
        },
    };
}
