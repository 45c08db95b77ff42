package inbox

import (
	"time"

	"github.com/herald-gov/herald/storage"
)

// EntryJSON is an entry as the CLI's --json and the API show it (design.md, 回应).
type EntryJSON struct {
	ID          int64      `json:"id"`
	Account     string     `json:"account"`
	AccountName string     `json:"account_name"`
	Platform    string     `json:"platform"`
	Kind        string     `json:"kind"`
	From        FromJSON   `json:"from"`
	Text        string     `json:"text"`
	Item        *int64     `json:"item"`
	Title       string     `json:"title"`
	URL         string     `json:"url,omitempty"`
	ReceivedAt  time.Time  `json:"received_at"`
	DueAt       time.Time  `json:"due_at"`
	State       string     `json:"state"`
	Overdue     bool       `json:"overdue"`
	Reply       *ReplyJSON `json:"reply"`
	CloseReason string     `json:"close_reason,omitempty"`
	ClosedBy    string     `json:"closed_by,omitempty"`
}

// FromJSON is who wrote an entry.
type FromJSON struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// ReplyJSON is an entry's latest reply attempt.
type ReplyJSON struct {
	Text  string    `json:"text"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	State string    `json:"state"`
	Error string    `json:"error,omitempty"`
}

// JSON returns the entry's JSON shape.
func (s *Service) JSON(e storage.InboxEntry) EntryJSON {
	loc := s.cfg.Location
	j := EntryJSON{ID: e.ID, Account: e.Account, Platform: e.Platform, Kind: e.Kind, From: FromJSON{ID: e.FromID, Name: e.FromName},
		Text: e.Text, Title: e.Title, URL: e.URL, ReceivedAt: e.ReceivedAt.In(loc), DueAt: e.DueAt.In(loc), State: e.State,
		Overdue: s.Overdue(e), CloseReason: e.ClosedReason, ClosedBy: e.ClosedBy}
	if a, ok := s.cfg.Account(e.Account); ok {
		j.AccountName = a.Name
	}
	if e.ItemID != 0 {
		id := e.ItemID
		j.Item = &id
	}
	if r := e.Reply; r != nil {
		at := r.StartedAt
		if r.FinishedAt != nil {
			at = *r.FinishedAt
		}
		j.Reply = &ReplyJSON{Text: r.Text, By: r.By, At: at.In(loc), State: r.State, Error: r.Error}
	}
	return j
}
