// compose-config loads a Compose file the way `docker compose config` does and prints the resolved
// model, or exits 1 with the reason. It is the Compose Specification's reference loader (compose-go:
// schema validation, interpolation with ${VAR:?error} checks, normalization, consistency checks),
// the library the Docker Compose CLI runs, built without the CLI, which needs no Docker engine but
// cannot be `go install`ed. We only call it; compose-go's own cmd uses LoadModel, which drops the
// environment, so ${VAR} could never resolve there.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-config COMPOSE_FILE [OVERRIDE_FILE ...]")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithDotEnv,
		cli.WithInterpolation(true), cli.WithNormalization(true), cli.WithConsistency(true),
		cli.WithResolvedPaths(true))
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalYAML()
	if err != nil {
		fail(err)
	}
	fmt.Print(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
