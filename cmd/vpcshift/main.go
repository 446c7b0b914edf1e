// Command vpcshift finds Serverless VPC Access connectors and Cloud NAT that
// Cloud Run pays for, prices them, and migrates them to Direct VPC egress
// with a run.app private DNS zone. See README.md.
package main

import (
	"os"

	"github.com/vpcshift/vpcshift/internal/cli"
)

// version is set by the linker: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System(version)))
}
