// Command kueue-manifests prints, as one v1 List (JSON), what the local platform
// installs for the Kueue controller manager: Kueue's CRDs, its admission webhooks,
// its namespace and its RBAC, taken from the manifests of the sigs.k8s.io/kueue
// module and adapted to a controller that runs as a process next to the API server:
//
//   - webhooks and CRD conversion are called at a URL on 127.0.0.1 (there is no
//     Service in front of the process) with the platform CA as caBundle;
//   - only the webhooks of Kueue's own objects and of the enabled integrations
//     are kept (a webhook without a handler would fail every request it matches);
//   - Job webhooks only see Jobs labelled kueue.x-k8s.io/queue-name (the
//     controller leaves unlabelled Jobs alone: manageJobsWithoutQueueName is
//     false), so Jobs of everyone else never wait on Kueue, running or not; and
//     they are ignored while the controller is down (failurePolicy Ignore): a
//     queued Job is created suspended by its author and admitted once Kueue runs;
//   - RBAC binds Kueue's ClusterRole to the user of the controller's client
//     certificate instead of a ServiceAccount.
//
// Usage: kueue-manifests -dir MANIFESTS -url https://127.0.0.1:PORT -ca CA.crt -user NAME
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

type object = map[string]any

// CRDs whose versions Kueue converts with its webhook (its crd kustomization's patches).
var converted = map[string]bool{
	"localqueues.kueue.x-k8s.io":        true,
	"clusterqueues.kueue.x-k8s.io":      true,
	"cohorts.kueue.x-k8s.io":            true,
	"workloads.kueue.x-k8s.io":          true,
	"multikueueclusters.kueue.x-k8s.io": true,
}

// API groups whose webhooks are kept: Kueue's own objects and the batch/job integration.
var keptGroups = map[string]bool{"kueue.x-k8s.io": true, "batch": true}

const (
	namespace  = "kueue-system"
	queueLabel = "kueue.x-k8s.io/queue-name"
)

func main() {
	dir := flag.String("dir", "", "directory with crd/, webhook/ and rbac/ from the kueue module's config/components")
	url := flag.String("url", "", "base URL of the webhook server, e.g. https://127.0.0.1:10270")
	caFile := flag.String("ca", "", "CA certificate (PEM) the webhook server's certificate chains to")
	user := flag.String("user", "kueue-controller-manager", "user (client certificate CN) the controller runs as")
	flag.Parse()
	if *dir == "" || *url == "" || *caFile == "" {
		fail("usage: kueue-manifests -dir DIR -url URL -ca FILE [-user NAME]")
	}
	ca, err := os.ReadFile(*caFile)
	check(err)
	caBundle := base64.StdEncoding.EncodeToString(ca)

	var items []object
	items = append(items, object{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": object{"name": namespace},
	})

	crds, err := filepath.Glob(filepath.Join(*dir, "crd", "*.yaml"))
	check(err)
	sort.Strings(crds)
	for _, f := range crds {
		for _, crd := range readObjects(f) {
			name := str(crd, "metadata", "name")
			if converted[name] {
				spec := crd["spec"].(object)
				spec["conversion"] = object{
					"strategy": "Webhook",
					"webhook": object{
						"clientConfig":             object{"url": *url + "/convert", "caBundle": caBundle},
						"conversionReviewVersions": []any{"v1"},
					},
				}
			}
			items = append(items, crd)
		}
	}

	for _, cfg := range readObjects(filepath.Join(*dir, "webhook", "manifests.yaml")) {
		kind := str(cfg, "kind")
		if kind != "MutatingWebhookConfiguration" && kind != "ValidatingWebhookConfiguration" {
			continue
		}
		cfg["metadata"] = object{"name": "kueue-" + str(cfg, "metadata", "name")}
		var kept []any
		for _, w := range cfg["webhooks"].([]any) {
			hook := w.(object)
			group := webhookGroup(hook)
			if !keptGroups[group] {
				continue
			}
			cc := hook["clientConfig"].(object)
			svc := cc["service"].(object)
			hook["clientConfig"] = object{"url": *url + str(svc, "path"), "caBundle": caBundle}
			if group == "batch" {
				hook["objectSelector"] = object{"matchExpressions": []any{
					object{"key": queueLabel, "operator": "Exists"},
				}}
				hook["namespaceSelector"] = object{"matchExpressions": []any{object{
					"key": "kubernetes.io/metadata.name", "operator": "NotIn",
					"values": []any{"kube-system", namespace},
				}}}
				hook["failurePolicy"] = "Ignore"
			}
			kept = append(kept, hook)
		}
		cfg["webhooks"] = kept
		items = append(items, cfg)
	}

	for _, role := range readObjects(filepath.Join(*dir, "rbac", "role.yaml")) {
		role["metadata"] = object{"name": "kueue-manager-role"}
		items = append(items, role, object{
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
			"metadata": object{"name": "kueue-manager-rolebinding"},
			"roleRef":  object{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "kueue-manager-role"},
			"subjects": []any{object{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": *user}},
		})
	}
	for _, role := range readObjects(filepath.Join(*dir, "rbac", "manager_secrets_role.yaml")) {
		role["metadata"] = object{"name": "kueue-manager-secrets-role", "namespace": namespace}
		items = append(items, role, object{
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
			"metadata": object{"name": "kueue-manager-secrets-rolebinding", "namespace": namespace},
			"roleRef":  object{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kueue-manager-secrets-role"},
			"subjects": []any{object{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": *user}},
		})
	}

	out, err := json.MarshalIndent(object{"apiVersion": "v1", "kind": "List", "items": items}, "", " ")
	check(err)
	fmt.Println(string(out))
}

var separator = regexp.MustCompile(`(?m)^---\s*$`)

func readObjects(file string) []object {
	data, err := os.ReadFile(file)
	check(err)
	var out []object
	for _, doc := range separator.Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var o object
		check(yaml.Unmarshal([]byte(doc), &o))
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

func stripComments(doc string) string {
	var b bytes.Buffer
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// The API group a webhook's first rule matches.
func webhookGroup(hook object) string {
	rules, _ := hook["rules"].([]any)
	if len(rules) == 0 {
		return ""
	}
	groups, _ := rules[0].(object)["apiGroups"].([]any)
	if len(groups) == 0 {
		return ""
	}
	g, _ := groups[0].(string)
	return g
}

func str(o object, path ...string) string {
	var cur any = o
	for _, p := range path {
		m, ok := cur.(object)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	s, _ := cur.(string)
	return s
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "kueue-manifests:", msg)
	os.Exit(1)
}
