import * as pulumi from "@pulumi/pulumi";
import { installMocks, thrownBy } from "./harness";
installMocks();
import { readStackConfig, ValidationError } from "../../sdk/src";

function withConfig(values: Record<string, string>): void {
    pulumi.runtime.setAllConfig(values);
}

describe("readStackConfig", () => {
    it("reads and validates the flyte:* keys of the stack", () => {
        withConfig({
            "flyte:profile": "eks",
            "flyte:namespace": "flyte-prod",
            "flyte:registry": "localhost:30000",
            "flyte:buildNetwork": "host",
            "flyte:migStrategy": "mixed",
        });
        expect(readStackConfig()).toEqual({
            profile: "eks",
            namespace: "flyte-prod",
            registry: "localhost:30000",
            buildNetwork: "host",
            migStrategy: "mixed",
            endpoint: undefined,
        });
    });

    it("defaults as the components do: the flyte profile, the provider's namespace, the default image registry", () => {
        withConfig({});
        expect(readStackConfig()).toEqual({
            profile: "flyte",
            namespace: undefined,
            registry: "ghcr.io/flyteorg",
            buildNetwork: undefined,
            migStrategy: undefined,
            endpoint: undefined,
        });
        expect(readStackConfig({ namespace: "fallback" }).namespace).toBe("fallback");
    });

    it.each([
        [{ "flyte:profile": "gcp" }, "flyte:profile", /allowed values: "gke", "eks", "aks", "nvidia", "flyte"/],
        [{ "flyte:namespace": "Flyte_Prod" }, "flyte:namespace", /DNS-1123 label/],
        [{ "flyte:registry": "https://ghcr.io/acme" }, "flyte:registry", /registry host/],
        [{ "flyte:migStrategy": "mig" }, "flyte:migStrategy", /"single", "mixed"/],
        [{ "flyte:buildNetwork": "bridge" }, "flyte:buildNetwork", /"default", "host", "none"/],
    ])("rejects %j naming the key and the allowed values", (config, field, allowed) => {
        withConfig(config);
        const error = thrownBy(readStackConfig);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).field).toBe(field);
        expect((error as Error).message).toMatch(allowed);
    });
});
