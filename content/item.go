package content

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kind is the kind of an item.
type Kind string

// Item kinds.
const (
	// KindArticle is an article with a cover image and HTML body.
	KindArticle Kind = "article"
	// KindGraphic is a policy graphic (政策图解): 1 to 20 long images and the
	// URL of the policy document they explain.
	KindGraphic Kind = "graphic"
	// KindBroadcast is an inspection broadcast (检查播报) with structured fields.
	KindBroadcast Kind = "broadcast"
	// KindShort is a Weibo-length text with optional images.
	KindShort Kind = "short"
)

// Kinds lists every kind.
var Kinds = []Kind{KindArticle, KindGraphic, KindBroadcast, KindShort}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Label is the kind's name for a clerk.
func (k Kind) Label() string {
	switch k {
	case KindArticle:
		return "图文"
	case KindGraphic:
		return "政策图解"
	case KindBroadcast:
		return "检查播报"
	case KindShort:
		return "短讯"
	}
	return string(k)
}

// Priority orders deliveries: urgent before normal.
type Priority string

// Priorities.
const (
	PriorityUrgent Priority = "urgent"
	PriorityNormal Priority = "normal"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return p == PriorityUrgent || p == PriorityNormal }

// Image roles within a revision.
const (
	RoleCover = "cover" // the first --image: cover of an article, first page of a graphic
	RoleImage = "image" // further --image files: graphic pages, broadcast photos, short images
	RoleBody  = "body"  // images referenced from the article HTML
)

// ImageRef is one image used by a revision.
type ImageRef struct {
	SHA256 string `json:"sha256"`
	Role   string `json:"role"`
	// Ref is the path the body referenced the image by (role body only).
	Ref    string `json:"ref,omitempty"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// Broadcast holds an inspection broadcast's structured fields.
type Broadcast struct {
	Date     string `json:"date"`               // YYYY-MM-DD, the inspection date
	Unit     string `json:"unit"`               // the unit inspected
	Address  string `json:"address,omitempty"`  // its address
	Result   string `json:"result"`             // e.g. 合格, 责令整改
	Findings string `json:"findings,omitempty"` // what was found
}

// Revision is one version of an item's content. Every edit makes a new one.
type Revision struct {
	ID        int64      `json:"id"`
	ItemID    int64      `json:"item_id"`
	Number    int        `json:"number"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Digest    string     `json:"digest,omitempty"`
	Author    string     `json:"author,omitempty"`
	SourceURL string     `json:"source_url,omitempty"`
	Broadcast *Broadcast `json:"broadcast,omitempty"`
	Images    []ImageRef `json:"images"`
	Hash      string     `json:"content_hash"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// Cover returns the revision's cover image, if any.
func (r *Revision) Cover() (ImageRef, bool) {
	for _, im := range r.Images {
		if im.Role == RoleCover {
			return im, true
		}
	}
	return ImageRef{}, false
}

// ImagesByRole returns the revision's images with role, in order.
func (r *Revision) ImagesByRole(roles ...string) []ImageRef {
	var out []ImageRef
	for _, im := range r.Images {
		for _, role := range roles {
			if im.Role == role {
				out = append(out, im)
			}
		}
	}
	return out
}

// Label is how the revision is named in lists: its title, or for an
// untitled short post the opening of its text.
func (r Revision) Label() string {
	if t := strings.TrimSpace(r.Title); t != "" {
		return t
	}
	runes := []rune(strings.Join(strings.Fields(r.Body), " "))
	if len(runes) > 30 {
		runes = append(runes[:29], '…')
	}
	return string(runes)
}

// ContentHash computes the hash that an approval binds to: everything a
// reader of the publication would see, and nothing else.
func (r *Revision) ContentHash(kind Kind) string {
	type img struct{ SHA256, Role, Ref string }
	imgs := make([]img, len(r.Images))
	for i, im := range r.Images {
		imgs[i] = img{im.SHA256, im.Role, im.Ref}
	}
	b, _ := json.Marshal(struct {
		Kind                                   Kind
		Title, Body, Digest, Author, SourceURL string
		Broadcast                              *Broadcast
		Images                                 []img
	}{kind, r.Title, r.Body, r.Digest, r.Author, r.SourceURL, r.Broadcast, imgs})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Item is one piece of content in the queue and its current revision.
type Item struct {
	ID         int64     `json:"id"`
	Kind       Kind      `json:"kind"`
	State      ItemState `json:"state"`
	Priority   Priority  `json:"priority"`
	Targets    string    `json:"targets"`
	Department string    `json:"department,omitempty"`
	CreatedBy  string    `json:"created_by"`
	Notify     bool      `json:"notify"`
	// PublishAt is the fixed publication time; nil with PublishNow false means none set yet.
	PublishAt *time.Time `json:"publish_at"`
	// PublishNow means: as soon as the item is approved.
	PublishNow bool   `json:"publish_now"`
	Cron       string `json:"cron,omitempty"`
	// StateReason says why the item is in its state (a reviewer's comment, why it expired).
	StateReason string    `json:"state_reason,omitempty"`
	Revision    Revision  `json:"revision"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// When describes the publication time for people.
func (it *Item) When(loc *time.Location) string {
	switch {
	case it.Cron != "":
		return "cron " + it.Cron
	case it.PublishNow:
		return "now"
	case it.PublishAt != nil:
		return it.PublishAt.In(loc).Format("2006-01-02 15:04")
	}
	return "-"
}

// HasTime reports whether the item has a publication time (now, fixed or recurring).
func (it *Item) HasTime() bool { return it.PublishNow || it.PublishAt != nil || it.Cron != "" }

// Delivery is the publication of one item revision to one account.
type Delivery struct {
	ID         int64         `json:"id"`
	ItemID     int64         `json:"item_id"`
	RevisionID int64         `json:"revision_id"`
	Account    string        `json:"account"`
	Platform   string        `json:"platform"`
	State      DeliveryState `json:"state"`
	// AttemptID identifies the current or last attempt; set before the first platform call.
	AttemptID string `json:"attempt_id,omitempty"`
	Attempts  int    `json:"attempts"`
	// AttemptStartedAt is when the current or last attempt started.
	AttemptStartedAt *time.Time `json:"attempt_started_at,omitempty"`
	NextAttemptAt    *time.Time `json:"next_attempt_at,omitempty"`
	// RemoteID is the platform's id: a publish_id then article_id on WeChat, a status id on Weibo.
	RemoteID string `json:"remote_id,omitempty"`
	// Progress is the channel's own record of how far it got (opaque to
	// everything else), kept across attempts so a retry can resume.
	Progress    string     `json:"-"`
	URL         string     `json:"url"`
	Error       string     `json:"error"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
	// RetractedAt is when herald deleted the publication from the platform
	// (herald post retract); the delivery stays published: it did go out.
	RetractedAt *time.Time `json:"retracted_at,omitempty"`
}

// Approval is one reviewer's sign-off of one revision at one level.
type Approval struct {
	ItemID     int64     `json:"item_id"`
	RevisionID int64     `json:"revision_id"`
	Level      int       `json:"level"` // 1-based
	LevelName  string    `json:"level_name"`
	Reviewer   string    `json:"reviewer"`
	Hash       string    `json:"content_hash"`
	SecrecyOK  bool      `json:"secrecy_ok"`
	Voided     bool      `json:"voided"`
	CreatedAt  time.Time `json:"created_at"`
}

// ParseWhen parses a publication time: "now", RFC 3339, or "YYYY-MM-DD HH:MM"
// in loc. now=true means as soon as approved.
func ParseWhen(s string, loc *time.Location) (t time.Time, now bool, err error) {
	s = strings.TrimSpace(s)
	if s == "now" {
		return time.Time{}, true, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("发布时间 %q 无法识别：请写 now、\"2026-11-23 09:00\" 或 RFC 3339 时间", s)
}
