package cli

import (
	"github.com/vpcshift/vpcshift/internal/gcp"
	"github.com/vpcshift/vpcshift/migrate"
)

// The gcp clients are the executor's real target.
var _ migrate.Target = (*gcp.Clients)(nil)
