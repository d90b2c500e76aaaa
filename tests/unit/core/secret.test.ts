/**
 * Secret: Flyte's env var derivation and mount rules (flyte-sdk 2.12.1 `_secret.py`),
 * plus our stricter key/group checks (they become Kubernetes object names and keys).
 */
import {
    SECRET_MOUNT_PATH,
    Secret,
    SecretArgs,
    normalizeSecret as toSecret,
    normalizeSecrets as toSecrets,
} from "../../../sdk/src/core/secret";
import { errorOf } from "./helpers";

const plain = (s: Secret) => ({
    key: s.key,
    group: s.group,
    mount: s.mount,
    asEnvVar: s.asEnvVar,
    envVar: s.envVar,
    filePath: s.filePath,
});

describe("env var derivation (neither mount nor asEnvVar given)", () => {
    const table: [SecretArgs, string][] = [
        [{ key: "api-key", group: "openai" }, "OPENAI_API_KEY"],
        [{ key: "my-secret" }, "MY_SECRET"], // Flyte's docstring example
        [{ key: "MY_SECRET" }, "MY_SECRET"],
        [{ key: "api_key" }, "API_KEY"],
        [{ key: "token", group: "hugging-face" }, "HUGGING_FACE_TOKEN"],
        [{ key: "Token", group: "hf" }, "HF_TOKEN"],
        [{ key: "a--b" }, "A__B"],
        [{ key: "x", group: "g1" }, "G1_X"],
    ];
    test.each(table)("%p -> %s", (args, envVar) => {
        const s = new Secret(args);
        expect(s.asEnvVar).toBe(envVar);
        expect(s.envVar).toBe(envVar);
        expect(s.mount).toBeUndefined();
        expect(s.filePath).toBeUndefined();
    });

    // Flyte: the derived name must still match ^[A-Z_][A-Z0-9_]*$
    test.each([
        [{ key: "k3y", group: "3rd-party" }, "3RD_PARTY_K3Y"],
        [{ key: "1password" }, "1PASSWORD"],
        [{ key: "my.key" }, "MY.KEY"],
    ])("%p derives %s, which is not an env var name", (args, derived) => {
        const err = errorOf(() => new Secret(args));
        expect(err.field).toBe("secret.asEnvVar");
        expect(err.message).toBe(
            `secret.asEnvVar: got "${derived}"; an environment variable name must match /^[A-Z_][A-Z0-9_]*$/`,
        );
    });

    test("a plain string is { key }", () => {
        expect(plain(toSecret("openai-api-key"))).toEqual({
            key: "openai-api-key",
            group: undefined,
            mount: undefined,
            asEnvVar: "OPENAI_API_KEY",
            envVar: "OPENAI_API_KEY",
            filePath: undefined,
        });
    });
});

describe("asEnvVar", () => {
    test('an explicit name is kept (Flyte: Secret("my-openai-api-key", as_env_var="OPENAI_API_KEY"))', () => {
        expect(new Secret({ key: "my-openai-api-key", asEnvVar: "OPENAI_API_KEY" }).asEnvVar).toBe("OPENAI_API_KEY");
        expect(new Secret({ key: "k", group: "g", asEnvVar: "_X1" }).asEnvVar).toBe("_X1");
    });

    test.each(["lower", "My_Var", "1ABC", "A-B", "A.B", "A B", "", "ÄPFEL"])("rejects %j", (asEnvVar) => {
        const err = errorOf(() => new Secret({ key: "k", asEnvVar }));
        expect(err.field).toBe("secret.asEnvVar");
        expect(err.given).toBe(asEnvVar);
    });

    test("mount and asEnvVar together: both a file and an env var", () => {
        const s = new Secret({ key: "token", group: "hf", mount: SECRET_MOUNT_PATH, asEnvVar: "HF_TOKEN" });
        expect(plain(s)).toEqual({
            key: "token",
            group: "hf",
            mount: "/etc/flyte/secrets",
            asEnvVar: "HF_TOKEN",
            envVar: "HF_TOKEN",
            filePath: "/etc/flyte/secrets/hf/token",
        });
    });
});

describe("mount", () => {
    test("a mounted secret is a file only; the file name is the key lower-cased", () => {
        expect(plain(new Secret({ key: "TOKEN", group: "hf", mount: "/etc/flyte/secrets" }))).toEqual({
            key: "TOKEN",
            group: "hf",
            mount: "/etc/flyte/secrets",
            asEnvVar: undefined,
            envVar: undefined,
            filePath: "/etc/flyte/secrets/hf/token",
        });
        expect(new Secret({ key: "My-Cert.pem", mount: "/etc/flyte/secrets" }).filePath).toBe(
            "/etc/flyte/secrets/my-cert.pem",
        );
    });

    // Flyte: "Only /etc/flyte/secrets is supported as secret mount path today."
    test.each(["/etc/flyte/secrets/", "/etc/secrets", "/etc/flyte", "etc/flyte/secrets", "", "/ETC/FLYTE/SECRETS"])(
        "rejects the mount path %j",
        (mount) => {
            expect(errorOf(() => new Secret({ key: "k", mount })).message).toBe(
                `secret.mount: got ${JSON.stringify(mount)}; only "/etc/flyte/secrets" is supported as a secret mount path`,
            );
        },
    );
});

describe("key and group (Kubernetes' rules: they name Kubernetes Secrets and their data keys)", () => {
    test.each(["", ".", "..", "a b", "a/b", "ключ", "k".repeat(254)])("rejects the key %j", (key) => {
        expect(errorOf(() => new Secret({ key })).field).toBe("secret.key");
    });
    test.each(["k", "K", "a.b", "a_b", "a-b", "-k", "k-", ".dockerconfigjson", "tls.crt", "k".repeat(253)])(
        "accepts the key %j, as Kubernetes does (with asEnvVar where needed)",
        (key) => {
            expect(new Secret({ key, asEnvVar: "X" }).key).toBe(key);
        },
    );

    test.each(["OpenAI", "open_ai", "-g", "g-", "g..h", ".g", "", "g".repeat(254)])(
        "rejects the group %j (not a DNS-1123 subdomain)",
        (group) => {
            const err = errorOf(() => new Secret({ key: "k", group }));
            expect(err.field).toBe("secret.group");
            expect(err.message).toContain("a secret group names a Kubernetes Secret (a DNS-1123 subdomain)");
        },
    );
    test.each([
        "openai",
        "g1",
        "my-group",
        "g.h",
        "registry.acme.io",
        "g".repeat(63),
        `${"g".repeat(63)}.${"h".repeat(63)}`,
    ])("accepts the group %j", (group) => {
        expect(new Secret({ key: "k", group, asEnvVar: "K" }).group).toBe(group);
    });

    test("unknown fields are refused, naming the nearest field, never printing the value (flyte-sdk's Secret raises too)", () => {
        const err = errorOf(() => new Secret({ key: "k", gruop: "wandb" } as unknown as SecretArgs));
        expect(err.field).toBe("secret.gruop");
        expect(err.message).toBe(
            'secret.gruop: unknown field "gruop"; did you mean "group"? allowed fields: key, group, mount, asEnvVar',
        );
        expect(
            errorOf(() => toSecrets([{ key: "k", asEnvVar: "K", value: "hunter2" } as unknown as SecretArgs])).message,
        ).not.toContain("hunter2");
    });

    test.each([[null], [undefined], [42]])("rejects %p as secret arguments", (args) => {
        expect(errorOf(() => new Secret(args as unknown as SecretArgs)).field).toBe("secret");
    });

    test("a non-string key", () => {
        expect(errorOf(() => new Secret({ key: 5 } as unknown as SecretArgs)).field).toBe("secret.key");
    });
});

describe("lists and identity", () => {
    test("toSecrets: one, a list, nothing; errors carry the list index", () => {
        expect(toSecrets(undefined)).toEqual([]);
        expect(toSecrets("a").map((s) => s.asEnvVar)).toEqual(["A"]);
        expect(toSecrets({ key: "b", group: "g" }).map((s) => s.asEnvVar)).toEqual(["G_B"]);
        const existing = new Secret({ key: "c" });
        const list = toSecrets(["a", existing, { key: "b", group: "g" }]);
        expect(list.map((s) => s.asEnvVar)).toEqual(["A", "C", "G_B"]);
        expect(list[1]).toBe(existing);
        expect(errorOf(() => toSecrets(["a", { key: "b", group: "Bad" }])).field).toBe("secrets[1].group");
        expect(errorOf(() => toSecrets(["a", "b", "no good"], "override.secrets")).field).toBe(
            "override.secrets[2].key",
        );
    });

    test("id is key|group|mount|asEnvVar (Flyte's stable_hash input)", () => {
        expect(new Secret({ key: "api-key", group: "openai" }).id).toBe("api-key|openai||OPENAI_API_KEY");
        expect(new Secret({ key: "t", mount: SECRET_MOUNT_PATH }).id).toBe("t||/etc/flyte/secrets|");
    });

    test("a Secret is frozen", () => {
        const s = new Secret({ key: "k" });
        expect(Object.isFrozen(s)).toBe(true);
        expect(() => {
            (s as { key: string }).key = "other";
        }).toThrow(TypeError);
    });
});
