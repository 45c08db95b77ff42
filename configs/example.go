package configs

import _ "embed"

// Example is configs/herald.example.yaml, the commented example configuration.
//
//go:embed herald.example.yaml
var Example []byte
