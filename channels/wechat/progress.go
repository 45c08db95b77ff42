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
//   - MassMsgID: the msg_id of the mass send that published a notifying
//     item; a lookup asks message/mass/get about it.
type progress struct {
	Draft     string `json:"draft,omitempty"`
	PublishID string `json:"publish_id,omitempty"`
	MassMsgID string `json:"mass_msg_id,omitempty"`
}

// legacyDraftPrefix is how herald before migration 0010 marked a draft in remote_id.
const legacyDraftPrefix = "draft:"

func (p progress) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// parseProgress reads a saved progress. Before migration 0010 the same facts
// were kept as "draft:<media_id>" or a bare publish_id; they still read.
func parseProgress(s string) progress {
	var p progress
	switch {
	case s == "":
	case strings.HasPrefix(s, "{"):
		_ = json.Unmarshal([]byte(s), &p)
	case strings.HasPrefix(s, legacyDraftPrefix):
		p.Draft = strings.TrimPrefix(s, legacyDraftPrefix)
	case strings.HasPrefix(s, massPrefix):
		p.MassMsgID = strings.TrimPrefix(s, massPrefix)
	default:
		p.PublishID = s
	}
	return p
}
