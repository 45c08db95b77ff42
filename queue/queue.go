// Package queue is herald's content queue: adding, editing, submitting,
// reviewing and cancelling items. The CLI and the HTTP API both act through
// it, so review rules and department scoping hold whatever the door.
package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// Actor is who acts: a name, and the department they act for ("" or the
// news office: any account).
type Actor struct {
	Name       string
	Department string
}

// Service runs queue operations against the store under the config's rules.
type Service struct {
	cfg     *configs.Config
	store   *storage.Store
	now     func() time.Time
	wording *content.Wording
}

// New returns a Service. now may be nil for the wall clock.
func New(cfg *configs.Config, store *storage.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{cfg: cfg, store: store, now: now, wording: content.NewWording(cfg.Wording).WithLeaders(cfg.ContentLeaders())}
}

// WordingHits returns every wording-list hit in a revision (for previews).
func (s *Service) WordingHits(kind content.Kind, r *content.Revision) []content.Hit {
	return s.wording.Check(kind, r)
}

// CheckWording runs the wording lists over a revision: blocking hits come
// back as a refusal, warnings as audit lines.
func (s *Service) CheckWording(kind content.Kind, r *content.Revision) (warnings []string, err error) {
	hits := s.wording.Check(kind, r)
	if msg := content.Blocking(hits); msg != "" {
		return nil, refuse(RefusedContent, "", "%s", msg)
	}
	for _, h := range hits {
		warnings = append(warnings, "用语提醒："+h.Message())
	}
	return warnings, nil
}

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
		Detail: fmt.Sprintf("%s《%s》→ %s（%d个账号），发布时间 %s", d.Kind.Label(), rev.Label(), item.Targets, len(accounts), item.When(s.cfg.Location))}}
	for _, w := range warnings {
		audit = append(audit, storage.AuditEntry{Actor: "herald", Action: "wording", Detail: w})
	}
	switch {
	case d.KeepDraft:
		item.State = content.ItemDraft
	case len(s.cfg.Review.Levels) > 0:
		item.State = content.ItemInReview
		audit = append(audit, storage.AuditEntry{Actor: actor.Name, Action: "submit", Detail: "draft → in_review，提交" + s.cfg.Review.Levels[0]})
	default:
		item.State = s.readyState(&item)
		audit = append(audit, storage.AuditEntry{Actor: actor.Name, Action: "submit", Detail: "draft → " + string(item.State) + "（未配置审核）"})
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

// RunRecurring makes one run of an approved recurring item: a copy of its
// current revision, scheduled now, with one delivery per account its targets
// name at this moment. It returns the run's item id.
func (s *Service) RunRecurring(ctx context.Context, parentID int64, now time.Time) (int64, error) {
	parent, err := s.store.Item(ctx, parentID)
	if err != nil {
		return 0, err
	}
	if parent.State != content.ItemScheduled || parent.Cron == "" {
		return 0, refuse(RefusedState, "", "稿件 %d 不是已排期的定时稿件", parentID)
	}
	_, accounts, err := s.resolveTargets(ctx, Actor{Name: "herald", Department: parent.Department}, parent.Targets)
	if err != nil {
		return 0, err
	}
	run := content.Item{Kind: parent.Kind, State: content.ItemScheduled, Priority: parent.Priority, Targets: parent.Targets,
		Department: parent.Department, Notify: parent.Notify, PublishNow: true}
	rev := parent.Revision
	rev.Hash = rev.ContentHash(parent.Kind)
	tg := make([]storage.Target, len(accounts))
	for i, a := range accounts {
		tg[i] = storage.Target{Account: a.ID, Platform: a.Platform}
	}
	detail := fmt.Sprintf("定时稿件 %d 按 %s 于 %s 运行", parentID, parent.Cron, now.In(s.cfg.Location).Format("2006-01-02 15:04"))
	return s.store.CreateItem(ctx, storage.NewItem{Item: run, Revision: rev, Targets: tg, Actor: "herald",
		Audit: []storage.AuditEntry{{Actor: "herald", Action: "cron-run", Detail: detail}}})
}

// StartPublishing moves a due scheduled item to publishing. An item sent
// to a group (or to all) goes to the accounts in it now, at publication
// time, not to those it had when the item was added: accounts that joined
// get a delivery, accounts that left are not published to (the audit entry
// names both). Accounts named by id stay as they are.
func (s *Service) StartPublishing(ctx context.Context, id int64) (storage.StartOutcome, error) {
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return storage.StartOutcome{}, err
	}
	var targets []storage.Target
	tg, accounts, err := s.resolveTargets(ctx, Actor{Name: "herald", Department: it.Department}, it.Targets)
	switch {
	case err != nil && !IsRefusal(err):
		return storage.StartOutcome{}, err
	case err != nil || (!tg.All && tg.Group == ""):
		// Accounts named by id (or a group now empty: nothing is added, and
		// the accounts it had keep their deliveries): as added.
		ds, err := s.store.Deliveries(ctx, id)
		if err != nil {
			return storage.StartOutcome{}, err
		}
		for _, d := range ds {
			targets = append(targets, storage.Target{Account: d.Account, Platform: d.Platform})
		}
	default:
		for _, a := range accounts {
			targets = append(targets, storage.Target{Account: a.ID, Platform: a.Platform})
		}
	}
	return s.store.StartPublishing(ctx, id, targets, it.Targets, "herald")
}

// readyState is where an approved item goes: scheduled when it has a time.
func (s *Service) readyState(it *content.Item) content.ItemState {
	if it.HasTime() {
		return content.ItemScheduled
	}
	return content.ItemApproved
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

// resolveTargets turns a TARGETS spec into active accounts and checks the
// actor's department may publish to each.
func (s *Service) resolveTargets(ctx context.Context, actor Actor, spec string) (content.Targets, []storage.Account, error) {
	tg, err := content.ParseTargets(spec)
	if err != nil {
		return tg, nil, refuse(RefusedInput, "targets", "%v", err)
	}
	all, err := s.store.Accounts(ctx, false)
	if err != nil {
		return tg, nil, err
	}
	var out []storage.Account
	switch {
	case tg.All:
		out = all
	case tg.Group != "":
		for _, a := range all {
			if a.InGroup(tg.Group) {
				out = append(out, a)
			}
		}
		if len(out) == 0 {
			return tg, nil, refuse(RefusedInput, "targets", "分组 %q 没有任何账号（账号的 groups 里没有这个分组）", tg.Group)
		}
	default:
		byID := map[string]storage.Account{}
		for _, a := range all {
			byID[a.ID] = a
		}
		for _, id := range tg.IDs {
			a, ok := byID[id]
			if !ok {
				return tg, nil, refuse(RefusedInput, "targets", "账号 %q 不存在或已停用", id)
			}
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return tg, nil, refuse(RefusedInput, "targets", "没有可发布的账号：配置中还没有账号")
	}
	if !s.unrestricted(actor) {
		if tg.All || tg.Group != "" {
			// A department publishing to "all" or a group gets its own accounts in it.
			var own []storage.Account
			for _, a := range out {
				if a.Department == actor.Department {
					own = append(own, a)
				}
			}
			if len(own) == 0 {
				return tg, nil, refuse(RefusedDenied, "targets", "%s 在 %s 中没有本部门的账号", s.deptName(actor.Department), tg.String())
			}
			out = own
			ids := make([]string, len(own))
			for i, a := range own {
				ids[i] = a.ID
			}
			tg = content.Targets{IDs: ids}
		} else {
			for _, a := range out {
				if a.Department != actor.Department {
					return tg, nil, refuse(RefusedDenied, "targets", "%s 只能向本部门账号发布：%s（%s）不属于本部门", s.deptName(actor.Department), a.ID, a.Name)
				}
			}
		}
	}
	return tg, out, nil
}

// unrestricted reports whether the actor may target every account.
func (s *Service) unrestricted(a Actor) bool {
	if a.Department == "" {
		return true
	}
	d, ok := s.cfg.Department(a.Department)
	return ok && d.Office
}

func (s *Service) deptName(id string) string {
	if d, ok := s.cfg.Department(id); ok {
		return d.Name
	}
	return id
}

// CheckActor returns a refusal if the actor names an unknown department.
func (s *Service) CheckActor(a Actor) error {
	if a.Department == "" {
		return nil
	}
	if _, ok := s.cfg.Department(a.Department); !ok {
		return refuse(RefusedDenied, "department", "未知的部门 %q（见配置 departments）", a.Department)
	}
	return nil
}

// mayTouch reports whether actor may act on an item of another department.
func (s *Service) mayTouch(actor Actor, it *content.Item) error {
	if s.unrestricted(actor) || it.Department == actor.Department {
		return nil
	}
	// The same answer as for a missing item: another department's item
	// numbers are not confirmed to exist.
	return refuse(RefusedNotFound, "", "稿件 %d 不存在", it.ID)
}

func platformsOf(accounts []storage.Account) content.Platforms {
	var p content.Platforms
	for _, a := range accounts {
		switch a.Platform {
		case configs.PlatformWeChat:
			p.WeChat = true
		case configs.PlatformWeibo:
			p.Weibo = true
		}
	}
	return p
}

// Item returns an item if the actor may see it.
func (s *Service) Item(ctx context.Context, actor Actor, id int64) (content.Item, error) {
	it, err := s.store.Item(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return it, refuse(RefusedNotFound, "", "稿件 %d 不存在", id)
	}
	if err != nil {
		return it, err
	}
	return it, s.mayTouch(actor, &it)
}

// Submit sends a draft (or an expired item given a new time) to review, or
// straight to scheduled when no review is configured.
func (s *Service) Submit(ctx context.Context, actor Actor, id int64) error {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return err
	}
	if it.State != content.ItemDraft {
		return refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，只有草稿可以提交审核", id, it.State.Label())
	}
	if err := s.checkNotPast(&it); err != nil {
		return err
	}
	if err := s.validateForTargets(ctx, &it); err != nil {
		return err
	}
	if _, err := s.CheckWording(it.Kind, &it.Revision); err != nil {
		return err
	}
	to := content.ItemInReview
	if len(s.cfg.Review.Levels) == 0 {
		to = s.readyState(&it)
	}
	return s.transition(ctx, storage.Transition{ItemID: id, From: it.State, To: to, Revision: it.Revision.ID, Actor: actor.Name, Action: "submit"})
}

func (s *Service) checkNotPast(it *content.Item) error {
	if it.PublishAt != nil && !it.PublishAt.After(s.now()) {
		return refuse(RefusedState, "at", "稿件 %d 的发布时间 %s 已过：请先设定新的发布时间", it.ID, it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
	}
	return nil
}

func (s *Service) validateForTargets(ctx context.Context, it *content.Item) error {
	ds, err := s.store.Deliveries(ctx, it.ID)
	if err != nil {
		return err
	}
	var p content.Platforms
	for _, d := range ds {
		p.WeChat = p.WeChat || d.Platform == configs.PlatformWeChat
		p.Weibo = p.Weibo || d.Platform == configs.PlatformWeibo
	}
	return content.Validate(it.Kind, &it.Revision, p).Err()
}

// NextLevel returns the 1-based level the item's current revision waits for
// and the names of the valid sign-offs so far.
func (s *Service) NextLevel(ctx context.Context, it *content.Item) (int, []content.Approval, error) {
	all, err := s.store.Approvals(ctx, it.ID)
	if err != nil {
		return 0, nil, err
	}
	var valid []content.Approval
	for _, a := range all {
		if !a.Voided && a.RevisionID == it.Revision.ID && a.Hash == it.Revision.Hash {
			valid = append(valid, a)
		}
	}
	return len(valid) + 1, valid, nil
}

// Approve signs the next review level of the item's current revision. At the
// last level secrecyOK (保密审查) must be confirmed.
func (s *Service) Approve(ctx context.Context, actor Actor, id int64, secrecyOK bool) error {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return err
	}
	if it.State != content.ItemInReview {
		return refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不在审核中", id, it.State.Label())
	}
	levels := s.cfg.Review.Levels
	level, signed, err := s.NextLevel(ctx, &it)
	if err != nil {
		return err
	}
	if level > len(levels) {
		return refuse(RefusedState, "", "稿件 %d 已完成全部审核", id)
	}
	name := levels[level-1]
	if !s.cfg.MayReview(name, actor.Name) {
		return refuse(RefusedDenied, "", "%s 无权签署%s（可签署：%s）", actor.Name, name, strings.Join(s.cfg.ReviewersFor(name), "、"))
	}
	for _, a := range signed {
		if a.Reviewer == actor.Name {
			return refuse(RefusedDenied, "", "%s 已签署%s，同一人不能签署两级审核", actor.Name, a.LevelName)
		}
	}
	last := level == len(levels)
	if last && !secrecyOK {
		return refuse(RefusedInput, "secrecy_ok", "%s是最后一级：请确认已通过保密审查后再签署", name)
	}
	next, reason := content.ItemInReview, ""
	if last {
		switch {
		case it.PublishAt != nil && !it.PublishAt.After(s.now()):
			next = content.ItemExpired
			reason = fmt.Sprintf("终审完成时发布时间 %s 已过，未发布；请重新设定发布时间后再提交", it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
		default:
			next = s.readyState(&it)
		}
	}
	err = s.store.Approve(ctx, storage.ApprovalInput{Approval: content.Approval{ItemID: id, RevisionID: it.Revision.ID, Level: level,
		LevelName: name, Reviewer: actor.Name, Hash: it.Revision.Hash, SecrecyOK: last && secrecyOK}, Next: next, Reason: reason})
	if errors.Is(err, storage.ErrConflict) {
		return refuse(RefusedState, "", "稿件 %d 刚被他人修改或签署，请重新查看后再审核", id)
	}
	if err == nil && next == content.ItemExpired {
		return refuse(RefusedState, "at", "终审完成时发布时间 %s 已过，未发布；请设定新的发布时间后重新提交", it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
	}
	return err
}

// Reject sends an item in review back to draft with the reviewer's comment.
func (s *Service) Reject(ctx context.Context, actor Actor, id int64, comment string) error {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return refuse(RefusedInput, "comment", "退回须写明原因")
	}
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return err
	}
	if it.State != content.ItemInReview {
		return refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不在审核中", id, it.State.Label())
	}
	level, _, err := s.NextLevel(ctx, &it)
	if err != nil {
		return err
	}
	levels := s.cfg.Review.Levels
	if level > len(levels) {
		level = len(levels)
	}
	name := levels[level-1]
	if !s.cfg.MayReview(name, actor.Name) {
		return refuse(RefusedDenied, "", "%s 无权在%s退回稿件（可签署：%s）", actor.Name, name, strings.Join(s.cfg.ReviewersFor(name), "、"))
	}
	reason := fmt.Sprintf("%s退回（%s）：%s", name, actor.Name, comment)
	return s.transition(ctx, storage.Transition{ItemID: id, From: it.State, To: content.ItemDraft, Revision: it.Revision.ID,
		Reason: reason, Actor: actor.Name, Action: "reject", Detail: reason})
}

// Cancel withdraws an item: deliveries not yet started are cancelled and
// nothing new starts. What already went out stays out (post retract deletes
// it); deliveries in flight settle by the platform's answer. The report says
// which accounts are which.
func (s *Service) Cancel(ctx context.Context, actor Actor, id int64) (CancelReport, error) {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return CancelReport{}, err
	}
	if content.CheckItemTransition(it.State, content.ItemCancelled) != nil {
		return CancelReport{}, refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不能撤销", id, it.State.Label())
	}
	if it.State == content.ItemPublishing {
		if again, err := s.store.CancelRequested(ctx, id); err != nil {
			return CancelReport{}, err
		} else if again {
			return CancelReport{}, refuse(RefusedState, "", "稿件 %d 已撤销，正在等待已开始发送的账号的结果", id)
		}
	}
	var rep CancelReport
	out, err := s.store.CancelItem(ctx, id, it.State, actor.Name, func(o storage.CancelOutcome) string {
		rep = s.cancelReport(id, o)
		return rep.summary()
	})
	if errors.Is(err, storage.ErrConflict) {
		return CancelReport{}, refuse(RefusedState, "", "稿件 %d 刚被他人修改，请重新查看", id)
	}
	if err != nil {
		return CancelReport{}, err
	}
	rep.State = out.State
	return rep, nil
}

// Changes are the fields an edit replaces; nil/empty means keep.
type Changes struct {
	Title      *string
	Body       *string
	BodyImages map[string][]byte
	Images     [][]byte // replaces all --image files when non-nil
	SourceURL  *string
	When       *string
	// Docx replaces the body with a Word document's; its title paragraph
	// replaces the title unless Title is set, and its first picture (or a
	// cover card) the cover unless Images are given.
	Docx []byte
}

// Edit makes a new revision of an item. It voids every earlier approval;
// an item past draft goes back to review (or straight to scheduled when no
// review is configured).
func (s *Service) Edit(ctx context.Context, actor Actor, id int64, c Changes) error {
	it, err := s.Item(ctx, actor, id)
	if err != nil {
		return err
	}
	switch it.State {
	case content.ItemDraft, content.ItemInReview, content.ItemApproved, content.ItemScheduled, content.ItemExpired:
	default:
		return refuse(RefusedState, "", "稿件 %d 当前状态为「%s」，不能修改", id, it.State.Label())
	}
	if c.Docx != nil {
		if it.Kind != content.KindArticle {
			return refuse(RefusedInput, "kind", "Word 文档只能导入为图文稿件")
		}
		if c.Body != nil {
			return refuse(RefusedInput, "docx", "Word 文档与正文文件只能选一个")
		}
		title := ""
		if c.Title != nil {
			title = *c.Title
		}
		im, err := s.ImportDocx(ctx, c.Docx, title)
		if err != nil {
			return err
		}
		c.Title, c.Body, c.BodyImages = &im.Title, &im.Body, im.BodyImages
		if c.Images == nil {
			c.Images = [][]byte{im.Cover}
		}
	}
	d := Draft{Kind: it.Kind, Title: it.Revision.Title, Digest: it.Revision.Digest, Author: it.Revision.Author,
		SourceURL: it.Revision.SourceURL, Broadcast: it.Revision.Broadcast, BodyImages: c.BodyImages}
	if c.Title != nil {
		d.Title = *c.Title
	}
	if c.SourceURL != nil {
		d.SourceURL = *c.SourceURL
	}
	if c.Body != nil {
		d.Body = *c.Body
		if it.Kind == content.KindArticle && it.Revision.Digest == digestOf(it.Revision.Body) {
			d.Digest = "" // the digest was derived from the old body: derive it again
		}
	}
	if c.Images != nil {
		d.Images = c.Images
	}
	rev, images, err := s.buildRevision(d)
	if err != nil {
		return err
	}
	if c.Body == nil {
		rev.Body = it.Revision.Body
		rev.Images = append(rev.Images, it.Revision.ImagesByRole(content.RoleBody)...)
	}
	if c.Images == nil {
		kept := it.Revision.ImagesByRole(content.RoleCover, content.RoleImage)
		rev.Images = append(kept, rev.ImagesByRole(content.RoleBody)...)
	}
	rev.Hash = rev.ContentHash(it.Kind)
	next := it
	e := storage.Edit{ItemID: id, ExpectRevision: it.Revision.ID, Revision: rev, From: it.State, Actor: actor.Name}
	if c.When != nil {
		next.PublishAt, next.PublishNow = nil, false
		if err := s.applyWhen(&next, *c.When, ""); err != nil {
			return err
		}
		e.SetTime, e.PublishAt, e.PublishNow = true, next.PublishAt, next.PublishNow
	}
	if it.State != content.ItemDraft {
		if err := s.checkNotPast(&next); err != nil {
			return err
		}
	}
	if err := s.validateForTargets(ctx, &content.Item{ID: id, Kind: it.Kind, Revision: rev}); err != nil {
		return err
	}
	warnings, err := s.CheckWording(it.Kind, &rev)
	if err != nil {
		return err
	}
	switch {
	case it.State == content.ItemDraft:
		e.To = content.ItemDraft
	case len(s.cfg.Review.Levels) > 0:
		e.To = content.ItemInReview
	default:
		e.To = s.readyState(&next)
	}
	if err := images.store(ctx, s.store); err != nil {
		return err
	}
	revID, err := s.store.AddRevision(ctx, e)
	if errors.Is(err, storage.ErrConflict) {
		return refuse(RefusedState, "", "稿件 %d 刚被他人修改，请重新查看后再改", id)
	}
	if err != nil {
		return err
	}
	for _, w := range warnings {
		if err := s.store.AddAudit(ctx, storage.AuditEntry{Actor: "herald", Action: "wording", ItemID: id, RevisionID: revID, Detail: w}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) transition(ctx context.Context, t storage.Transition) error {
	err := s.store.TransitionItem(ctx, t)
	if errors.Is(err, storage.ErrConflict) {
		return refuse(RefusedState, "", "稿件 %d 刚被他人修改，请重新查看", t.ItemID)
	}
	return err
}

// ExpireOverdue marks every item still in review whose fixed time has passed
// as expired, so that it is never published late without a new time. It
// returns the ids expired.
func (s *Service) ExpireOverdue(ctx context.Context) ([]int64, error) {
	items, err := s.store.ListItems(ctx, storage.ItemFilter{States: []content.ItemState{content.ItemInReview}, Limit: 100000})
	if err != nil {
		return nil, err
	}
	var expired []int64
	for _, it := range items {
		if it.PublishAt == nil || it.PublishAt.After(s.now()) {
			continue
		}
		reason := fmt.Sprintf("发布时间 %s 前未完成审核，未发布；请重新设定发布时间后再提交", it.PublishAt.In(s.cfg.Location).Format("2006-01-02 15:04"))
		err := s.store.TransitionItem(ctx, storage.Transition{ItemID: it.ID, From: content.ItemInReview, To: content.ItemExpired,
			Revision: it.Revision.ID, Reason: reason, Actor: "herald", Action: "expire"})
		if errors.Is(err, storage.ErrConflict) {
			continue // approved or edited meanwhile
		}
		if err != nil {
			return expired, err
		}
		expired = append(expired, it.ID)
	}
	return expired, nil
}

// Levels returns the configured review levels.
func (s *Service) Levels() []string { return slices.Clone(s.cfg.Review.Levels) }

// distinct returns the different strings of list.
func distinct(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}
