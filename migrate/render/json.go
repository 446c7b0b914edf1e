package render

import (
	"io"

	"github.com/vpcshift/vpcshift/migrate"
)

// JSON writes the plan itself, as vpcshift apply reads it.
func JSON(w io.Writer, p *migrate.Plan) error { return p.Write(w) }
