// The `flyte` Pulumi package: the components of pulumi-flyte for every Pulumi language.
// The Pulumi CLI runs this directory as a component provider (PulumiPlugin.yaml, served
// by ./host.ts); the package schema is inferred from these classes and ./args.ts.
// ./args.ts comes first: the schema analyser reads type documentation from the files
// it has visited when it meets a component.
export * from "./args";
export { TaskEnvironment } from "./flyte-task-environment";
export { ImageBuild } from "./flyte-image-build";
export { SecretStore } from "./flyte-secret-store";
export { Queue } from "./flyte-queue";
