// Adding an item: a draft's content and schedule, its images, its revision.

package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Draft is the content and schedule of a new item.
type Draft struct {
	Kind      content.Kind
	Title     string
	Body      string // HTML for articles, plain text for short posts
	Digest    string
	Author    string
	SourceURL string
	Broadcast *content.Broadcast
	// Images are --image files in order; the first is the cover.
	Images [][]byte
	// BodyImages are the files the body's <img src> paths name, by that path.
	BodyImages map[string][]byte
	Targets    string
	When       string // "", "now", or a time for content.ParseWhen
	Cron       string
	Priority   content.Priority
	Notify     bool
	// KeepDraft leaves the item a draft instead of submitting it.
	KeepDraft bool
	// Docx is a Word document (.docx) that becomes an article's body, its
	// title unless Title is set, and its cover unless Images are given.
	Docx []byte
	// DocxWarning, when set, is told each line about what the Word
	// document's article leaves out (charts, embedded objects, ...).
	DocxWarning func(line string)
	// PolicyID, when not 0, links the item to that policy: an article as
	// its 解读, a graphic as its 图解.
	PolicyID int64
}

// Add creates an item from a draft. With review levels configured (and not
// KeepDraft) it is submitted for review at once; with none it goes straight
// to scheduled (or approved while it has no time).
func (s *Service) Add(ctx context.Context, actor Actor, d Draft) (int64, error) {
	if !d.Kind.Valid() {
		return 0, refuse(RefusedInput, "kind", "未知的稿件类型 %q：可选 article、graphic、broadcast、short", d.Kind)
	}
	if d.Priority == "" {
		d.Priority = content.PriorityNormal
	}
	if !d.Priority.Valid() {
		return 0, refuse(RefusedInput, "priority", "未知的优先级 %q：可选 urgent 或 normal", d.Priority)
	}
	if err := s.checkPolicyLink(ctx, d); err != nil {
		return 0, err
	}
	if err := s.applyDocx(ctx, &d); err != nil {
		return 0, err
	}
	targets, accounts, err := s.resolveTargets(ctx, actor, d.Targets)
	if err != nil {
		return 0, err
	}
	item := content.Item{Kind: d.Kind, Priority: d.Priority, Targets: targets.String(), Department: actor.Department,
		Notify: d.Notify, Cron: d.Cron}
	if err := s.applyWhen(&item, d.When, d.Cron); err != nil {
		return 0, err
	}
	rev, images, err := s.buildRevision(d)
	if err != nil {
		return 0, err
	}
	if err := content.Validate(d.Kind, &rev, platformsOf(accounts)).Err(); err != nil {
		return 0, err
	}
	warnings, err := s.CheckWording(d.Kind, &rev)
	if err != nil {
		return 0, err
	}
	audit := []storage.AuditEntry{{Actor: actor.Name, Action: "create",
		Detail: fmt.Sprintf("%s《%s》→ %s（%d个账号），发布时间 %s", d.Kind.Label(), rev.Label(), item.Targets, len(accounts), item.When(s.cfg.Location)),
		Note:   fmt.Sprintf("%s《%s》，%d个账号", d.Kind.Label(), rev.Label(), len(accounts))}}
	for _, w := range warnings {
		audit = append(audit, storage.AuditEntry{Actor: "herald", Action: "wording", Detail: w})
	}
	switch {
	case d.KeepDraft:
		item.State = content.ItemDraft
	case len(s.cfg.Review.Levels) > 0:
		item.State = content.ItemInReview
		audit = append(audit, storage.AuditEntry{Actor: actor.Name, Action: "submit", Detail: "draft → in_review，提交" + s.cfg.Review.Levels[0],
			From: string(content.ItemDraft), To: string(content.ItemInReview), Note: "提交" + s.cfg.Review.Levels[0]})
	default:
		item.State = s.readyState(&item)
		audit = append(audit, storage.AuditEntry{Actor: actor.Name, Action: "submit", Detail: "draft → " + string(item.State) + "（未配置审核）",
			From: string(content.ItemDraft), To: string(item.State), Note: "未配置审核"})
	}
	var tg []storage.Target
	if item.Cron == "" { // a recurring item's runs get the deliveries, resolved when each fires
		for _, a := range accounts {
			tg = append(tg, storage.Target{Account: a.ID, Platform: a.Platform})
		}
	}
	if err := images.store(ctx, s.store); err != nil {
		return 0, err
	}
	return s.store.CreateItem(ctx, storage.NewItem{Item: item, Revision: rev, Targets: tg, Actor: actor.Name, Audit: audit, PolicyID: d.PolicyID})
}

// checkPolicyLink refuses a policy link that cannot be made: an unknown
// policy, or an item that is neither a 解读 (article) nor a 图解 (graphic).
func (s *Service) checkPolicyLink(ctx context.Context, d Draft) error {
	if d.PolicyID == 0 {
		return nil
	}
	if d.Kind != content.KindArticle && d.Kind != content.KindGraphic {
		return refuse(RefusedInput, "policy_id", "只有图文（article，作为解读）或政策图解（graphic）可以关联政策")
	}
	if d.Cron != "" {
		return refuse(RefusedInput, "cron", "定时重复的稿件不能关联政策：请单独发布解读或图解")
	}
	if _, err := s.store.Policy(ctx, d.PolicyID); errors.Is(err, storage.ErrNotFound) {
		return refuse(RefusedNotFound, "policy_id", "政策 %d 不存在", d.PolicyID)
	} else if err != nil {
		return err
	}
	return nil
}

func (s *Service) applyWhen(it *content.Item, when, spec string) error {
	if when != "" && spec != "" {
		return refuse(RefusedInput, "at", "发布时间与定时规则只能选一个")
	}
	if spec != "" {
		if _, err := cron.ParseStandard(spec); err != nil {
			return refuse(RefusedInput, "cron", "定时规则 %q 无法识别（五段式，如 \"0 9 * * 1\" 表示每周一9点）：%v", spec, err)
		}
		it.Cron = spec
		return nil
	}
	if when == "" {
		return nil
	}
	t, now, err := content.ParseWhen(when, s.cfg.Location)
	if err != nil {
		return refuse(RefusedInput, "at", "%s", err.Error())
	}
	if now {
		it.PublishNow = true
		return nil
	}
	if !t.After(s.now()) {
		return refuse(RefusedInput, "at", "发布时间 %s 已过，请指定将来的时间或 now", t.In(s.cfg.Location).Format("2006-01-02 15:04"))
	}
	it.PublishAt = &t
	return nil
}

// buildRevision imports the draft's images into the store, cleans the body
// and computes the content hash.
// pendingImages are images a revision uses, checked but not yet stored:
// they are written only once every check has passed, so a refused item
// leaves nothing behind.
type pendingImages map[string][]byte

func (p pendingImages) ref(data []byte, role, ref string) (content.ImageRef, error) {
	info, err := content.SniffImage(data)
	if err != nil {
		return content.ImageRef{}, err
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	p[h] = data
	return content.ImageRef{SHA256: h, Role: role, Ref: ref, MIME: info.MIME, Size: int64(len(data)), Width: info.Width, Height: info.Height}, nil
}

// store writes the images (each once by its hash).
func (p pendingImages) store(ctx context.Context, st *storage.Store) error {
	for _, data := range p {
		if _, err := st.PutImage(ctx, data); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) buildRevision(d Draft) (content.Revision, pendingImages, error) {
	rev := content.Revision{Title: strings.TrimSpace(d.Title), Digest: strings.TrimSpace(d.Digest),
		Author: strings.TrimSpace(d.Author), SourceURL: strings.TrimSpace(d.SourceURL), Broadcast: d.Broadcast}
	if d.Kind == content.KindBroadcast && rev.Title == "" && d.Broadcast != nil && d.Broadcast.Unit != "" {
		rev.Title = content.BroadcastTitle(d.Broadcast)
	}
	if n := len(d.Images) + len(d.BodyImages); n > content.MaxImagesPerItem {
		return rev, nil, refuse(RefusedContent, "images", "图片太多：一篇稿件最多 %d 张（含封面和正文图片），当前 %d 张", content.MaxImagesPerItem, n)
	}
	pending := pendingImages{}
	for i, data := range d.Images {
		role := content.RoleImage
		if i == 0 {
			role = content.RoleCover
		}
		im, err := pending.ref(data, role, "")
		if err != nil {
			return rev, nil, refuse(RefusedContent, "images", "第%d张图片：%v", i+1, err)
		}
		rev.Images = append(rev.Images, im)
	}
	if d.Kind == content.KindShort {
		rev.Body = strings.TrimSpace(d.Body)
	} else if d.Body != "" {
		body := content.SanitizeHTML(d.Body)
		srcs, err := content.ImageSources(body)
		if err != nil {
			return rev, nil, refuse(RefusedContent, "body", "%v", err)
		}
		if n := len(d.Images) + len(distinct(srcs)); n > content.MaxImagesPerItem {
			return rev, nil, refuse(RefusedContent, "images", "图片太多：一篇稿件最多 %d 张（含封面和正文图片），当前 %d 张", content.MaxImagesPerItem, n)
		}
		bySrc := map[string]string{}
		for _, src := range srcs {
			if _, done := bySrc[src]; done {
				continue
			}
			if content.IsRemoteURL(src) {
				return rev, nil, refuse(RefusedContent, "body", "正文引用了网络图片 %s：herald 不从互联网下载图片，请保存到本地后用相对路径引用", src)
			}
			data, ok := d.BodyImages[src]
			if !ok {
				return rev, nil, refuse(RefusedContent, "body", "正文引用的图片 %s 未找到：请放在正文文件旁，用相对路径引用", src)
			}
			im, err := pending.ref(data, content.RoleBody, src)
			if err != nil {
				return rev, nil, refuse(RefusedContent, "body", "正文图片 %s：%v", src, err)
			}
			bySrc[src] = im.SHA256
			rev.Images = append(rev.Images, im)
		}
		if body, err = content.RewriteImageSources(body, func(src string) string {
			if h, ok := bySrc[src]; ok {
				return content.ImageSrcPrefix + h
			}
			return src
		}); err != nil {
			return rev, nil, refuse(RefusedContent, "body", "%v", err)
		}
		rev.Body = body
	}
	if rev.Digest == "" && d.Kind == content.KindArticle {
		rev.Digest = digestOf(rev.Body)
	}
	rev.Hash = rev.ContentHash(d.Kind)
	return rev, pending, nil
}

func digestOf(body string) string {
	r := []rune(content.PlainText(body))
	if len(r) > 54 {
		r = append(r[:53], '…')
	}
	return string(r)
}

// distinct returns the different strings of list.
func distinct(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}
