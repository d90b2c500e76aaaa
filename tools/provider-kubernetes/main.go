// Command pulumi-resource-kubernetes serves the Kubernetes provider of the
// pulumi-kubernetes release pinned in go.mod.
//
// Upstream's main embeds a schema generated at build time, which is not in the
// module zip. scripts/toolchain.sh builds this package in a staging copy outside
// the repository, next to schema.json (the module's own schema with `.version`
// set) and terraform-mapping.json, so neither file is committed here.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
