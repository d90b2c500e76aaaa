// Command platform-nodes registers the fake nodes described in
// platform/nodes.yaml with the local kube-apiserver, for kwok to manage.
//
//	platform-nodes render -f platform/nodes.yaml            # print a v1 List of Nodes, DeviceClasses, ResourceSlices
//	platform-nodes apply  -f platform/nodes.yaml --kubeconfig K
//	platform-nodes wait   -f platform/nodes.yaml --kubeconfig K --timeout 60s
//
// apply creates missing nodes (with status.capacity/allocatable, which the
// apiserver accepts on create), updates labels/taints/capacity of existing
// ones, and deletes nodes it created earlier that are no longer in the file;
// then it publishes the fake DRA drivers' DeviceClasses and ResourceSlices
// (dra.go) the same way.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

const (
	// kwok manages nodes carrying this annotation (--manage-nodes-with-annotation-selector).
	kwokAnnotation = "kwok.x-k8s.io/node"
	// Marks nodes owned by this tool, so entries removed from the file are deleted.
	ownerAnnotation = "pulumi-flyte.dev/platform-node"
	aboutAnnotation = "pulumi-flyte.dev/about"
)

type taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

type nodeEntry struct {
	Name        string            `json:"name"`
	About       string            `json:"about,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Taints      []taint           `json:"taints,omitempty"`
	Capacity    map[string]string `json:"capacity"`
	Allocatable map[string]string `json:"allocatable,omitempty"`
	// Devices the node's fake DRA drivers publish in ResourceSlices (dra.go).
	DRA *draEntry `json:"dra,omitempty"`
}

type nodesFile struct {
	Defaults struct {
		Labels map[string]string `json:"labels,omitempty"`
	} `json:"defaults"`
	// DeviceClasses the fake DRA drivers install (dra.go).
	DeviceClasses []deviceClassEntry `json:"deviceClasses,omitempty"`
	Nodes         []nodeEntry        `json:"nodes"`
}

// platform is everything the file describes.
type platform struct {
	nodes   []corev1.Node
	classes []resourcev1.DeviceClass
	// ResourceSlices by node name.
	slices map[string][]resourcev1.ResourceSlice
}

func resources(m map[string]string) (corev1.ResourceList, error) {
	out := corev1.ResourceList{}
	for k, v := range m {
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return nil, fmt.Errorf("resource %s=%q: %w", k, v, err)
		}
		out[corev1.ResourceName(k)] = q
	}
	return out, nil
}

func load(path string) (*platform, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f nodesFile
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	classes, err := deviceClasses(f.DeviceClasses)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p := &platform{classes: classes, slices: map[string][]resourcev1.ResourceSlice{}}
	seen := map[string]bool{}
	var nodes []corev1.Node
	for i, e := range f.Nodes {
		if e.Name == "" {
			return nil, fmt.Errorf("%s: node #%d has no name", path, i+1)
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("%s: duplicate node %q", path, e.Name)
		}
		seen[e.Name] = true
		if len(e.Capacity) == 0 {
			return nil, fmt.Errorf("%s: node %q has no capacity", path, e.Name)
		}
		labels := map[string]string{}
		for k, v := range f.Defaults.Labels {
			labels[k] = v
		}
		for k, v := range e.Labels {
			labels[k] = v
		}
		labels[corev1.LabelHostname] = e.Name
		capacity, err := resources(e.Capacity)
		if err != nil {
			return nil, fmt.Errorf("%s: node %q: %w", path, e.Name, err)
		}
		allocatable := capacity.DeepCopy()
		if len(e.Allocatable) > 0 {
			if allocatable, err = resources(e.Allocatable); err != nil {
				return nil, fmt.Errorf("%s: node %q: %w", path, e.Name, err)
			}
		}
		var taints []corev1.Taint
		for _, t := range e.Taints {
			switch corev1.TaintEffect(t.Effect) {
			case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
			default:
				return nil, fmt.Errorf("%s: node %q: taint %s has invalid effect %q", path, e.Name, t.Key, t.Effect)
			}
			taints = append(taints, corev1.Taint{Key: t.Key, Value: t.Value, Effect: corev1.TaintEffect(t.Effect)})
		}
		annotations := map[string]string{
			kwokAnnotation:  "fake",
			ownerAnnotation: "true",
			// No kubelet: tell the TTL controller not to expect one.
			"node.alpha.kubernetes.io/ttl": "0",
		}
		if e.About != "" {
			annotations[aboutAnnotation] = e.About
		}
		if e.DRA != nil {
			s, err := nodeSlices(e.Name, e.DRA)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			p.slices[e.Name] = s
		}
		nodes = append(nodes, corev1.Node{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
			ObjectMeta: metav1.ObjectMeta{Name: e.Name, Labels: labels, Annotations: annotations},
			Spec:       corev1.NodeSpec{Taints: taints},
			Status:     corev1.NodeStatus{Capacity: capacity, Allocatable: allocatable},
		})
	}
	p.nodes = nodes
	return p, nil
}

func client(kubeconfig string) (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

func apply(ctx context.Context, cs *kubernetes.Clientset, p *platform) error {
	want := p.nodes
	api := cs.CoreV1().Nodes()
	wanted := map[string]bool{}
	registered := map[string]*corev1.Node{}
	for i := range want {
		n := want[i]
		wanted[n.Name] = true
		cur, err := api.Get(ctx, n.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			created, err := api.Create(ctx, &n, metav1.CreateOptions{})
			if err != nil {
				return fmt.Errorf("create node %s: %w", n.Name, err)
			}
			registered[n.Name] = created
			fmt.Printf("node/%s created\n", n.Name)
			continue
		}
		if err != nil {
			return fmt.Errorf("get node %s: %w", n.Name, err)
		}
		registered[n.Name] = cur
		changed := false
		if !equality.Semantic.DeepEqual(cur.Labels, n.Labels) || !equality.Semantic.DeepEqual(cur.Spec.Taints, n.Spec.Taints) {
			cur.Labels = n.Labels
			cur.Spec.Taints = n.Spec.Taints
			if cur.Annotations == nil {
				cur.Annotations = map[string]string{}
			}
			for k, v := range n.Annotations {
				cur.Annotations[k] = v
			}
			if cur, err = api.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("update node %s: %w", n.Name, err)
			}
			changed = true
		}
		if !equality.Semantic.DeepEqual(cur.Status.Capacity, n.Status.Capacity) || !equality.Semantic.DeepEqual(cur.Status.Allocatable, n.Status.Allocatable) {
			cur.Status.Capacity = n.Status.Capacity
			cur.Status.Allocatable = n.Status.Allocatable
			if _, err = api.UpdateStatus(ctx, cur, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("update node %s status: %w", n.Name, err)
			}
			changed = true
		}
		if changed {
			fmt.Printf("node/%s configured\n", n.Name)
		} else {
			fmt.Printf("node/%s unchanged\n", n.Name)
		}
	}
	all, err := api.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, n := range all.Items {
		if n.Annotations[ownerAnnotation] == "true" && !wanted[n.Name] {
			if err := api.Delete(ctx, n.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete node %s: %w", n.Name, err)
			}
			fmt.Printf("node/%s deleted (no longer in the file)\n", n.Name)
		}
	}
	return applyDRA(ctx, cs, p.classes, p.slices, registered)
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func wait(ctx context.Context, cs *kubernetes.Clientset, want []corev1.Node, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var notReady []string
		for _, n := range want {
			cur, err := cs.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
			if err != nil || !ready(cur) {
				notReady = append(notReady, n.Name)
			}
		}
		if len(notReady) == 0 {
			fmt.Printf("%d nodes Ready\n", len(want))
			return nil
		}
		if time.Now().After(deadline) {
			sort.Strings(notReady)
			return fmt.Errorf("nodes not Ready after %s: %v", timeout, notReady)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: platform-nodes render|apply|wait -f FILE [--kubeconfig K] [--timeout D]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	file := fs.String("f", "platform/nodes.yaml", "nodes file")
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig")
	timeout := fs.Duration("timeout", 60*time.Second, "wait timeout")
	_ = fs.Parse(os.Args[2:])

	p, err := load(*file)
	if err == nil {
		ctx := context.Background()
		switch cmd {
		case "render":
			items := []any{}
			for _, n := range p.nodes {
				items = append(items, n)
			}
			for _, c := range p.classes {
				items = append(items, c)
			}
			for _, n := range p.nodes {
				for _, s := range p.slices[n.Name] {
					items = append(items, s)
				}
			}
			var out []byte
			if out, err = json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  "); err == nil {
				fmt.Println(string(out))
			}
		case "apply", "wait":
			var cs *kubernetes.Clientset
			if cs, err = client(*kubeconfig); err == nil {
				if cmd == "apply" {
					err = apply(ctx, cs, p)
				} else {
					err = wait(ctx, cs, p.nodes, *timeout)
				}
			}
		default:
			err = errors.New("unknown command " + cmd)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "platform-nodes:", err)
		os.Exit(1)
	}
}
