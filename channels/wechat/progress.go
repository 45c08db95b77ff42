package wechat

import (
	"encoding/json"
	"strings"
)

// progress is how far a delivery got on WeChat, saved with the delivery
// (channels.Store.SaveProgress) and handed back in Publication.Progress.
// Nothing outside this package reads it.
//
//   - Draft: the draft this delivery made. It is the delivery's idempotency
//     key: a retry submits this draft again and never makes another.
//   - PublishID: what freepublish/submit answered; a lookup asks
//     freepublish/get about it.
type progress struct {
	Draft     string `json:"draft,omitempty"`
	PublishID string `json:"publish_id,omitempty"`
}

func (p progress) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// parseProgress reads a saved progress. Before herald 0006 the same facts
// were kept as "draft:<media_id>" or a bare publish_id; they still read.
func parseProgress(s string) progress {
	var p progress
	switch {
	case s == "":
	case strings.HasPrefix(s, "{"):
		_ = json.Unmarshal([]byte(s), &p)
	case strings.HasPrefix(s, "draft:"):
		p.Draft = strings.TrimPrefix(s, "draft:")
	default:
		p.PublishID = s
	}
	return p
}
