import { kubernetesName } from "../names";
import { SECRET_MOUNT_PATH, Secret } from "../secret";
import { EnvVar, Volume, VolumeMount } from "./types";

/** Kubernetes Secret holding secrets that have no group. */
export const DEFAULT_SECRET_GROUP = "flyte-secrets";
/** 0400: readable by the file owner only. */
export const SECRET_FILE_MODE = 0o400;

/** One Kubernetes Secret per group, named after the group (Flyte's Kubernetes secret manager convention). */
export function kubernetesSecretName(group: string | undefined): string {
    return group ?? DEFAULT_SECRET_GROUP;
}

export interface SecretWiring {
    env: EnvVar[];
    volumes: Volume[];
    volumeMounts: VolumeMount[];
}

/** Env vars by secretKeyRef; files under /etc/flyte/secrets/<group>/<key> with mode 0400. */
export function wireSecrets(secrets: readonly Secret[]): SecretWiring {
    const env: EnvVar[] = [];
    const byGroup = new Map<string | undefined, Secret[]>();
    const seen = new Set<string>();
    for (const s of secrets) {
        // the same secret listed twice is one secret
        if (seen.has(s.id)) continue;
        seen.add(s.id);
        if (s.asEnvVar) {
            env.push({ name: s.asEnvVar, valueFrom: { secretKeyRef: { name: kubernetesSecretName(s.group), key: s.key } } });
        }
        if (s.mount) {
            const list = byGroup.get(s.group) ?? [];
            if (!list.some((x) => x.key === s.key)) list.push(s);
            byGroup.set(s.group, list);
        }
    }
    const volumes: Volume[] = [];
    const volumeMounts: VolumeMount[] = [];
    for (const [group, list] of byGroup) {
        const volumeName = kubernetesName("flyte-secret", kubernetesSecretName(group));
        volumes.push({
            name: volumeName,
            secret: {
                secretName: kubernetesSecretName(group),
                items: list.map((s) => ({ key: s.key, path: s.key.toLowerCase(), mode: SECRET_FILE_MODE })),
                defaultMode: SECRET_FILE_MODE,
            },
        });
        if (group) {
            volumeMounts.push({ name: volumeName, mountPath: `${SECRET_MOUNT_PATH}/${group}`, readOnly: true });
        } else {
            // groupless files sit directly in /etc/flyte/secrets, beside the group directories
            for (const s of list) volumeMounts.push({ name: volumeName, mountPath: s.filePath!, subPath: s.key.toLowerCase(), readOnly: true });
        }
    }
    return { env, volumes, volumeMounts };
}
