//go:build tools

// Package tools pins the buildx command so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/docker/buildx/cmd/buildx"
