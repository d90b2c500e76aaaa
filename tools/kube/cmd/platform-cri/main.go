// Command platform-cri talks CRI to the local platform's containerd, for the
// parts of `npm run platform` that run while the kubelet is stopped.
//
//	platform-cri ps    --endpoint unix:///path/containerd.sock   # pod sandboxes and containers
//	platform-cri reset --endpoint unix:///path/containerd.sock   # stop and remove every pod sandbox
//
// reset lets containerd undo what it did for each pod: stop its containers,
// tear down its network (CNI DEL: veth and IP released), unmount its /dev/shm
// and remove its network namespace, so `platform down` leaves nothing behind.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: platform-cri ps|reset --endpoint unix:///path/to/containerd.sock [--timeout 60s]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	endpoint := fs.String("endpoint", "", "CRI endpoint (unix:///...)")
	timeout := fs.Duration("timeout", 60*time.Second, "overall timeout")
	_ = fs.Parse(os.Args[2:])
	if !strings.HasPrefix(*endpoint, "unix://") {
		fmt.Fprintln(os.Stderr, "platform-cri: --endpoint unix:///path is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.NewClient("unix://"+strings.TrimPrefix(*endpoint, "unix://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	switch cmd {
	case "ps":
		err = ps(ctx, rt)
	case "reset":
		err = reset(ctx, rt)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "platform-cri:", err)
	os.Exit(1)
}

func ps(ctx context.Context, rt runtimeapi.RuntimeServiceClient) error {
	pods, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return err
	}
	containers, err := rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		m := p.GetMetadata()
		fmt.Printf("pod %s %s/%s %s\n", short(p.Id), m.GetNamespace(), m.GetName(), p.State)
		for _, c := range containers.Containers {
			if c.PodSandboxId == p.Id {
				fmt.Printf("  container %s %s %s\n", short(c.Id), c.GetMetadata().GetName(), c.State)
			}
		}
	}
	return nil
}

func reset(ctx context.Context, rt runtimeapi.RuntimeServiceClient) error {
	pods, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return err
	}
	var errs []string
	for _, p := range pods.Items {
		name := p.GetMetadata().GetNamespace() + "/" + p.GetMetadata().GetName()
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			errs = append(errs, fmt.Sprintf("stop %s: %v", name, err))
			continue
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			errs = append(errs, fmt.Sprintf("remove %s: %v", name, err))
			continue
		}
		fmt.Printf("removed pod %s (%s)\n", name, short(p.Id))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func short(id string) string {
	if len(id) > 13 {
		return id[:13]
	}
	return id
}
