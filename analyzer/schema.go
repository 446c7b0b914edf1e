package analyzer

import _ "embed"

//go:embed schema/report.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of a Report's JSON form
// (vpcshift report --schema). The slice is a copy.
func Schema() []byte { return append([]byte(nil), schemaJSON...) }
