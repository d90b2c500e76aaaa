// Command pod-pause is the sandbox ("infra") container of every pod on the
// local platform's real node: containerd starts it first to hold the pod's
// namespaces. It does nothing but wait: it reaps children re-parented to it
// (pods that share their process namespace) and exits 0 on SIGINT or SIGTERM.
//
// The platform builds it statically (CGO_ENABLED=0), puts it alone in a
// FROM-scratch image and pushes that to the loopback registry, because the
// usual registry.k8s.io/pause image cannot be pulled here.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("pod-pause (pulumi-flyte local platform)")
		return
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "pod-pause: not running as PID 1 (expected inside a pod sandbox)")
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

// reap collects every exited child without blocking.
func reap() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
