/**
 * The end-to-end project: the root Pulumi.yaml's program (the quickstart) in a
 * scratch directory inside the repository (so node resolves the workspace's
 * modules), with its own file backend and passphrase, and the stacks' config from
 * the committed Pulumi.<stack>.yaml files.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

export const REPO = path.resolve(__dirname, "../..");
export const WORK_DIR = path.join(REPO, ".work", "e2e");
export const PASSPHRASE = "pulumi-flyte-e2e";
export const E2E_NAMESPACES = { dev: "flyte-e2e-dev", prod: "flyte-e2e-prod" } as const;

/** Secrets the tests set; they must never show up in plaintext. */
export const SECRET_VALUES = {
    wandbApiKey: "wandb-e2e-8f1d2c7a9b3e4f60",
    pypiToken: "pypi-e2e-5a9c3e1f7d2b4c68",
    pypiTokenRotated: "pypi-e2e-rotated-0d6e2b94a1c7",
};

export interface E2EStacks {
    dev: Stack;
    prod: Stack;
    /** The environment the stacks' pulumi commands run with. */
    envVars: Record<string, string>;
}

export function requireEnv(name: string): string {
    const v = process.env[name];
    if (!v)
        throw new Error(
            `${name} is not set: run the end-to-end tests through \`npm test\` (it builds the toolchain and starts the platform)`,
        );
    return v;
}

export async function createStacks(): Promise<E2EStacks> {
    fs.rmSync(WORK_DIR, { recursive: true, force: true });
    const stateDir = path.join(WORK_DIR, "state");
    fs.mkdirSync(stateDir, { recursive: true });
    const project = yaml.load(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as any;
    project.main = path.relative(WORK_DIR, path.join(REPO, project.main));
    const envVars: Record<string, string> = {
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_FLYTE_BUILD_WORKDIR: path.join(WORK_DIR, "build"),
    };
    const stackSettings: Record<string, any> = {};
    for (const name of ["dev", "prod"]) {
        const settings = yaml.load(fs.readFileSync(path.join(REPO, `Pulumi.${name}.yaml`), "utf8")) as any;
        // own namespaces, so a demo deployed on the same platform is left alone
        settings.config["flyte:namespace"] = E2E_NAMESPACES[name as "dev" | "prod"];
        stackSettings[name] = settings;
    }
    const ws = await LocalWorkspace.create({
        workDir: WORK_DIR,
        projectSettings: project,
        stackSettings,
        envVars,
        secretsProvider: "passphrase",
    });
    const dev = await Stack.create("dev", ws);
    const prod = await Stack.create("prod", ws);
    for (const s of [dev, prod]) {
        await s.setConfig("wandbApiKey", { value: SECRET_VALUES.wandbApiKey, secret: true });
        await s.setConfig("pypiToken", { value: SECRET_VALUES.pypiToken, secret: true });
    }
    return { dev, prod, envVars };
}
