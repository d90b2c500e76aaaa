import { ValidationError } from "../errors";
import { kubernetesName } from "../names";
import { SECRET_MOUNT_PATH, Secret } from "../secret";
import { EnvVar, Volume, VolumeMount } from "./kube-types";

/** Kubernetes Secret holding secrets that have no group. */
export const DEFAULT_SECRET_GROUP = "flyte-secrets";
/**
 * 0440: readable by the owner (root) and the file's group. With the pod's
 * `securityContext.fsGroup` the kubelet gives the files that group and adds it to
 * every container process, so a task reads its secrets whatever non-root user the
 * image runs as (Flyte's images run as `flyte`, uid/gid 1000). 0400 would leave the
 * files readable by root only.
 */
export const SECRET_FILE_MODE = 0o440;
/** The pod's fsGroup when a template mounts secret files and its base sets none: the group of Flyte's `flyte` user. */
export const SECRET_FS_GROUP = 1000;

/** One Kubernetes Secret per group, named after the group (Flyte's Kubernetes secret manager convention). */
export function kubernetesSecretName(group: string | undefined): string {
    return group ?? DEFAULT_SECRET_GROUP;
}

export interface SecretWiring {
    env: EnvVar[];
    volumes: Volume[];
    volumeMounts: VolumeMount[];
}

/** Env vars by secretKeyRef; files under /etc/flyte/secrets/<group>/<key> with mode 0440 (see SECRET_FS_GROUP). */
export function wireSecrets(secrets: readonly Secret[]): SecretWiring {
    const env: EnvVar[] = [];
    const byGroup = new Map<string | undefined, Secret[]>();
    const seen = new Set<string>();
    for (const s of secrets) {
        // the same secret listed twice is one secret
        if (seen.has(s.id)) continue;
        seen.add(s.id);
        if (s.asEnvVar) {
            env.push({
                name: s.asEnvVar,
                valueFrom: { secretKeyRef: { name: kubernetesSecretName(s.group), key: s.key } },
            });
        }
        if (s.mount) {
            const list = byGroup.get(s.group) ?? [];
            if (!list.some((x) => x.key === s.key)) list.push(s);
            byGroup.set(s.group, list);
        }
    }
    // one volume per Kubernetes Secret: groupless secrets and a group literally named
    // like the default group share one
    const volumes = new Map<string, Volume>();
    const volumeMounts: VolumeMount[] = [];
    for (const [group, list] of byGroup) {
        const secretName = kubernetesSecretName(group);
        const volumeName = kubernetesName("flyte-secret", secretName);
        const volume = volumes.get(secretName) ?? {
            name: volumeName,
            secret: { secretName, items: [], defaultMode: SECRET_FILE_MODE },
        };
        volumes.set(secretName, volume);
        for (const s of list) {
            const path = s.key.toLowerCase();
            const items = volume.secret!.items!;
            const clash = items.find((i) => i.path === path && i.key !== s.key);
            if (clash) {
                throw new ValidationError(
                    "secrets",
                    s.key,
                    `its file would be ${s.filePath}, like secret key "${clash.key}" (file names are lower-cased); rename one key`,
                );
            }
            if (!items.some((i) => i.key === s.key)) items.push({ key: s.key, path, mode: SECRET_FILE_MODE });
        }
        if (group) {
            volumeMounts.push({ name: volumeName, mountPath: `${SECRET_MOUNT_PATH}/${group}`, readOnly: true });
        } else {
            // groupless files sit directly in /etc/flyte/secrets, beside the group directories
            for (const s of list)
                volumeMounts.push({
                    name: volumeName,
                    mountPath: s.filePath!,
                    subPath: s.key.toLowerCase(),
                    readOnly: true,
                });
        }
    }
    return { env, volumes: [...volumes.values()], volumeMounts };
}
