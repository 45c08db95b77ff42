package configs

import _ "embed"

// Example is configs/herald.example.yaml, the commented example configuration.
//
//go:embed herald.example.yaml
var Example []byte

// WordingStarter is configs/wording.txt, the starter wording list.
//
//go:embed wording.txt
var WordingStarter []byte

// PolicyExample is configs/policy.example.yaml, a sample policy graphic description.
//
//go:embed policy.example.yaml
var PolicyExample []byte
