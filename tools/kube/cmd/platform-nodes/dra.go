// The platform's fake DRA drivers: what NVIDIA's GPU driver (gpu.nvidia.com) and
// Google's TPU driver (tpu.google.com) publish for a node, generated from a node's
// `dra:` entry in platform/nodes.yaml, plus the DeviceClasses they install.
//
// A node with `dra.gpus` publishes, like NVIDIA's kubelet plugin with partitionable
// devices: one device per GPU (attributes type=gpu, productName, architecture,
// cudaComputeCapability, driverVersion; capacity memory) and, when `mig` profiles are
// listed, one device per profile and placement (type=mig, profile, the parent's
// productName; capacity memory, multiprocessors), all consuming counters of the GPU's
// counter set (one counter per memory slice, plus multiprocessors), so a whole GPU
// and its MIG devices exclude each other as on real hardware. A node with `dra.tpus`
// publishes one device per chip (tpuGen, index), as Google's driver does.
//
// No kubelet plugin runs: kwok plays the pods, and the real kube-scheduler allocates
// the claims from these slices.
package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
)

// Marks DeviceClasses and ResourceSlices this tool publishes (others are never touched).
const fakeDriverLabel = "pulumi-flyte.dev/fake-driver"

type deviceClassEntry struct {
	Name                 string   `json:"name"`
	Selectors            []string `json:"selectors"`
	ExtendedResourceName string   `json:"extendedResourceName,omitempty"`
}

type migProfileEntry struct {
	Profile         string `json:"profile"`
	MemorySlices    int    `json:"memorySlices"`
	Multiprocessors int64  `json:"multiprocessors"`
	Memory          string `json:"memory"`
	Placements      []int  `json:"placements"`
}

type gpuEntry struct {
	Count                 int               `json:"count"`
	ProductName           string            `json:"productName"`
	Memory                string            `json:"memory"`
	Architecture          string            `json:"architecture"`
	CudaComputeCapability string            `json:"cudaComputeCapability"`
	DriverVersion         string            `json:"driverVersion"`
	MemorySlices          int               `json:"memorySlices,omitempty"`
	Multiprocessors       int64             `json:"multiprocessors,omitempty"`
	MIG                   []migProfileEntry `json:"mig,omitempty"`
}

type tpuEntry struct {
	Count  int    `json:"count"`
	TpuGen string `json:"tpuGen"`
}

type draEntry struct {
	GPUs *gpuEntry `json:"gpus,omitempty"`
	TPUs *tpuEntry `json:"tpus,omitempty"`
}

const (
	nvidiaDriver = "gpu.nvidia.com"
	googleDriver = "tpu.google.com"
)

func str(s string) resourcev1.DeviceAttribute {
	return resourcev1.DeviceAttribute{StringValue: ptr.To(s)}
}
func ver(s string) resourcev1.DeviceAttribute {
	return resourcev1.DeviceAttribute{VersionValue: ptr.To(s)}
}
func num(i int64) resourcev1.DeviceAttribute   { return resourcev1.DeviceAttribute{IntValue: ptr.To(i)} }
func qty(s string) resource.Quantity           { return resource.MustParse(s) }
func capOf(s string) resourcev1.DeviceCapacity { return resourcev1.DeviceCapacity{Value: qty(s)} }

// deviceClasses turns the file's entries into DeviceClasses.
func deviceClasses(entries []deviceClassEntry) ([]resourcev1.DeviceClass, error) {
	var out []resourcev1.DeviceClass
	for _, e := range entries {
		if e.Name == "" || len(e.Selectors) == 0 {
			return nil, fmt.Errorf("device class %q needs a name and selectors", e.Name)
		}
		c := resourcev1.DeviceClass{
			TypeMeta:   metav1.TypeMeta{APIVersion: "resource.k8s.io/v1", Kind: "DeviceClass"},
			ObjectMeta: metav1.ObjectMeta{Name: e.Name, Labels: map[string]string{fakeDriverLabel: "true"}},
		}
		for _, s := range e.Selectors {
			c.Spec.Selectors = append(c.Spec.Selectors, resourcev1.DeviceSelector{CEL: &resourcev1.CELDeviceSelector{Expression: s}})
		}
		if e.ExtendedResourceName != "" {
			c.Spec.ExtendedResourceName = ptr.To(e.ExtendedResourceName)
		}
		out = append(out, c)
	}
	return out, nil
}

// nodeSlices is what the node's fake drivers publish (generation set by apply).
func nodeSlices(node string, dra *draEntry) ([]resourcev1.ResourceSlice, error) {
	if dra == nil {
		return nil, nil
	}
	var out []resourcev1.ResourceSlice
	if g := dra.GPUs; g != nil {
		s, err := gpuSlices(node, g)
		if err != nil {
			return nil, fmt.Errorf("node %s: dra.gpus: %w", node, err)
		}
		out = append(out, s...)
	}
	if t := dra.TPUs; t != nil {
		if t.Count < 1 || t.TpuGen == "" {
			return nil, fmt.Errorf("node %s: dra.tpus needs count and tpuGen", node)
		}
		var devices []resourcev1.Device
		for i := 0; i < t.Count; i++ {
			devices = append(devices, resourcev1.Device{
				Name:       fmt.Sprintf("accel%d", i),
				Attributes: map[resourcev1.QualifiedName]resourcev1.DeviceAttribute{"tpuGen": str(t.TpuGen), "index": num(int64(i))},
			})
		}
		out = append(out, slice(node, googleDriver, "devices", devices, nil))
	}
	// each driver's pool is complete when all its slices are there
	count := map[string]int64{}
	for _, s := range out {
		count[s.Spec.Driver]++
	}
	for i := range out {
		out[i].Spec.Pool.ResourceSliceCount = count[out[i].Spec.Driver]
	}
	return out, nil
}

func slice(node, driver, part string, devices []resourcev1.Device, counters []resourcev1.CounterSet) resourcev1.ResourceSlice {
	return resourcev1.ResourceSlice{
		TypeMeta: metav1.TypeMeta{APIVersion: "resource.k8s.io/v1", Kind: "ResourceSlice"},
		ObjectMeta: metav1.ObjectMeta{
			Name:   fmt.Sprintf("%s-%s-%s", node, strings.ReplaceAll(driver, ".", "-"), part),
			Labels: map[string]string{fakeDriverLabel: "true"},
		},
		Spec: resourcev1.ResourceSliceSpec{
			Driver:         driver,
			Pool:           resourcev1.ResourcePool{Name: node, Generation: 1},
			NodeName:       ptr.To(node),
			Devices:        devices,
			SharedCounters: counters,
		},
	}
}

func gpuSlices(node string, g *gpuEntry) ([]resourcev1.ResourceSlice, error) {
	if g.Count < 1 || g.ProductName == "" || g.Memory == "" {
		return nil, fmt.Errorf("needs count, productName and memory")
	}
	attrs := func(kind string) map[resourcev1.QualifiedName]resourcev1.DeviceAttribute {
		a := map[resourcev1.QualifiedName]resourcev1.DeviceAttribute{
			"type":        str(kind),
			"productName": str(g.ProductName),
			"brand":       str("Nvidia"),
		}
		if g.Architecture != "" {
			a["architecture"] = str(g.Architecture)
		}
		if g.CudaComputeCapability != "" {
			a["cudaComputeCapability"] = ver(g.CudaComputeCapability)
		}
		if g.DriverVersion != "" {
			a["driverVersion"] = ver(g.DriverVersion)
		}
		return a
	}
	if len(g.MIG) == 0 {
		var devices []resourcev1.Device
		for i := 0; i < g.Count; i++ {
			a := attrs("gpu")
			a["index"] = num(int64(i))
			devices = append(devices, resourcev1.Device{
				Name:       fmt.Sprintf("gpu-%d", i),
				Attributes: a,
				Capacity:   map[resourcev1.QualifiedName]resourcev1.DeviceCapacity{"memory": capOf(g.Memory)},
			})
		}
		return []resourcev1.ResourceSlice{slice(node, nvidiaDriver, "devices", devices, nil)}, nil
	}
	if g.MemorySlices < 1 || g.Multiprocessors < 1 {
		return nil, fmt.Errorf("MIG partitions need memorySlices and multiprocessors of the whole GPU")
	}
	if g.Count > resourcev1.ResourceSliceMaxCounterSets {
		return nil, fmt.Errorf("at most %d partitionable GPUs per node", resourcev1.ResourceSliceMaxCounterSets)
	}
	counters := func(start, size int, sms int64) map[string]resourcev1.Counter {
		c := map[string]resourcev1.Counter{"multiprocessors": {Value: *resource.NewQuantity(sms, resource.DecimalSI)}}
		for k := start; k < start+size; k++ {
			c[fmt.Sprintf("memory-slice-%d", k)] = resourcev1.Counter{Value: qty("1")}
		}
		return c
	}
	var sets []resourcev1.CounterSet
	var out []resourcev1.ResourceSlice
	for i := 0; i < g.Count; i++ {
		set := fmt.Sprintf("gpu-%d-counter-set", i)
		sets = append(sets, resourcev1.CounterSet{Name: set, Counters: counters(0, g.MemorySlices, g.Multiprocessors)})
		whole := attrs("gpu")
		whole["index"] = num(int64(i))
		devices := []resourcev1.Device{{
			Name:             fmt.Sprintf("gpu-%d", i),
			Attributes:       whole,
			Capacity:         map[resourcev1.QualifiedName]resourcev1.DeviceCapacity{"memory": capOf(g.Memory)},
			ConsumesCounters: []resourcev1.DeviceCounterConsumption{{CounterSet: set, Counters: counters(0, g.MemorySlices, g.Multiprocessors)}},
		}}
		for _, p := range g.MIG {
			for _, start := range p.Placements {
				if start+p.MemorySlices > g.MemorySlices {
					return nil, fmt.Errorf("MIG %s placement %d exceeds %d memory slices", p.Profile, start, g.MemorySlices)
				}
				a := attrs("mig")
				a["profile"] = str(p.Profile)
				a["parentIndex"] = num(int64(i))
				devices = append(devices, resourcev1.Device{
					Name:       fmt.Sprintf("gpu-%d-mig-%s-%d-%d", i, strings.ReplaceAll(p.Profile, ".", ""), start, p.MemorySlices),
					Attributes: a,
					Capacity: map[resourcev1.QualifiedName]resourcev1.DeviceCapacity{
						"memory":          capOf(p.Memory),
						"multiprocessors": {Value: *resource.NewQuantity(p.Multiprocessors, resource.DecimalSI)},
					},
					ConsumesCounters: []resourcev1.DeviceCounterConsumption{{CounterSet: set, Counters: counters(start, p.MemorySlices, p.Multiprocessors)}},
				})
			}
		}
		if len(devices) > resourcev1.ResourceSliceMaxDevicesWithAdvancedFeatures {
			return nil, fmt.Errorf("GPU %d has %d devices; a slice holds %d", i, len(devices), resourcev1.ResourceSliceMaxDevicesWithAdvancedFeatures)
		}
		out = append(out, slice(node, nvidiaDriver, fmt.Sprintf("gpu-%d", i), devices, nil))
	}
	return append(out, slice(node, nvidiaDriver, "counters", nil, sets)), nil
}

// applyDRA publishes the DeviceClasses and every node's slices, replacing a node's
// slices (with the pool's next generation) when they changed, and deleting what this
// tool published before and the file no longer has.
func applyDRA(ctx context.Context, cs *kubernetes.Clientset, classes []resourcev1.DeviceClass, slices map[string][]resourcev1.ResourceSlice, nodes map[string]*corev1.Node) error {
	api := cs.ResourceV1()
	wantedClasses := map[string]bool{}
	for i := range classes {
		c := classes[i]
		wantedClasses[c.Name] = true
		cur, err := api.DeviceClasses().Get(ctx, c.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			if _, err := api.DeviceClasses().Create(ctx, &c, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("create deviceclass %s: %w", c.Name, err)
			}
			fmt.Printf("deviceclass/%s created\n", c.Name)
		case err != nil:
			return fmt.Errorf("get deviceclass %s: %w", c.Name, err)
		case cur.Labels[fakeDriverLabel] != "true":
			fmt.Printf("deviceclass/%s left alone (not published by the platform)\n", c.Name)
		case !equality.Semantic.DeepEqual(cur.Spec, c.Spec):
			cur.Spec = c.Spec
			if _, err := api.DeviceClasses().Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("update deviceclass %s: %w", c.Name, err)
			}
			fmt.Printf("deviceclass/%s configured\n", c.Name)
		default:
			fmt.Printf("deviceclass/%s unchanged\n", c.Name)
		}
	}
	ours := metav1.ListOptions{LabelSelector: fakeDriverLabel + "=true"}
	existing, err := api.ResourceSlices().List(ctx, ours)
	if err != nil {
		return fmt.Errorf("list resourceslices: %w", err)
	}
	byNode := map[string][]resourcev1.ResourceSlice{}
	for _, s := range existing.Items {
		byNode[ptr.Deref(s.Spec.NodeName, "")] = append(byNode[ptr.Deref(s.Spec.NodeName, "")], s)
	}
	names := make([]string, 0, len(slices))
	for n := range slices {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, node := range names {
		want, have := slices[node], byNode[node]
		delete(byNode, node)
		if sameSlices(want, have) {
			fmt.Printf("resourceslices of node/%s unchanged\n", node)
			continue
		}
		generation := int64(1)
		for _, s := range have {
			generation = max(generation, s.Spec.Pool.Generation+1)
			if err := api.ResourceSlices().Delete(ctx, s.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete resourceslice %s: %w", s.Name, err)
			}
		}
		owner := nodes[node]
		for i := range want {
			s := want[i]
			s.Spec.Pool.Generation = generation
			if owner != nil {
				s.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: owner.Name, UID: owner.UID}}
			}
			if _, err := api.ResourceSlices().Create(ctx, &s, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("create resourceslice %s: %w", s.Name, err)
			}
		}
		fmt.Printf("resourceslices of node/%s published (%d slices, generation %d)\n", node, len(want), generation)
	}
	for _, stale := range byNode {
		for _, s := range stale {
			if err := api.ResourceSlices().Delete(ctx, s.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete resourceslice %s: %w", s.Name, err)
			}
			fmt.Printf("resourceslice/%s deleted (no longer in the file)\n", s.Name)
		}
	}
	all, err := api.DeviceClasses().List(ctx, ours)
	if err != nil {
		return fmt.Errorf("list deviceclasses: %w", err)
	}
	for _, c := range all.Items {
		if !wantedClasses[c.Name] {
			if err := api.DeviceClasses().Delete(ctx, c.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete deviceclass %s: %w", c.Name, err)
			}
			fmt.Printf("deviceclass/%s deleted (no longer in the file)\n", c.Name)
		}
	}
	return nil
}

// sameSlices: the published slices have the wanted names and specs (generation aside).
func sameSlices(want, have []resourcev1.ResourceSlice) bool {
	if len(want) != len(have) {
		return false
	}
	byName := map[string]resourcev1.ResourceSlice{}
	for _, s := range have {
		byName[s.Name] = s
	}
	for _, w := range want {
		h, ok := byName[w.Name]
		if !ok {
			return false
		}
		hs, ws := h.Spec, w.Spec
		hs.Pool.Generation, ws.Pool.Generation = 0, 0
		if !equality.Semantic.DeepEqual(hs, ws) {
			return false
		}
	}
	return true
}
