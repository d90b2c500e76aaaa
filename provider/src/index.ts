// The `flyte` Pulumi package: the components of pulumi-flyte for every Pulumi language.
// The Pulumi CLI runs this directory as a component provider (PulumiPlugin.yaml) and
// infers the package schema from these classes and ./args.ts.
export { TaskEnvironment } from "./task-environment";
export { ImageBuild } from "./image-build";
export { SecretStore } from "./secret-store";
export * from "./args";
