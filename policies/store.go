package policies

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/storage"
)

// knownPolicies finds the stored policy a document read from the site is:
// the same canonical URL, else the same 索引号, else the same 文号 and
// title (two pages of one document: a list's ?from=list link, a second
// column listing it).
type knownPolicies struct {
	byURL    map[string]*storage.Policy
	byIndex  map[string]*storage.Policy
	byNumber map[string][]*storage.Policy
}

func (s *Syncer) knownPolicies(ctx context.Context) (*knownPolicies, error) {
	ps, err := s.st.Policies(ctx)
	if err != nil {
		return nil, err
	}
	k := &knownPolicies{byURL: map[string]*storage.Policy{}, byIndex: map[string]*storage.Policy{}, byNumber: map[string][]*storage.Policy{}}
	for i := range ps {
		k.add(&ps[i])
	}
	return k, nil
}

func (k *knownPolicies) add(p *storage.Policy) {
	for _, a := range append([]string{p.URL}, p.Aliases...) {
		k.byURL[a] = p
		if u, err := url.Parse(a); err == nil {
			k.byURL[stripTracking(u).String()] = p
		}
	}
	if p.IndexNumber != "" {
		k.byIndex[p.IndexNumber] = p
	}
	if p.DocNumber != "" {
		k.byNumber[p.DocNumber] = append(k.byNumber[p.DocNumber], p)
	}
}

func (k *knownPolicies) match(d *Document) *storage.Policy {
	if p := k.byURL[d.URL]; p != nil {
		return p
	}
	if p := k.byIndex[d.IndexNumber]; d.IndexNumber != "" && p != nil {
		return p
	}
	for _, p := range k.byNumber[d.DocNumber] {
		if d.DocNumber != "" && sameTitle(p.Title, d.Title) && (p.IndexNumber == "" || d.IndexNumber == "") {
			return p
		}
	}
	return nil
}

func sameTitle(a, b string) bool {
	a, b = strings.Join(strings.Fields(a), ""), strings.Join(strings.Fields(b), "")
	return a == b || strings.Contains(a, b) || strings.Contains(b, a)
}

// save stores a document read from the site: under the stored policy it
// matches, unless the page lost what that policy had; as a new policy
// otherwise.
func (s *Syncer) save(ctx context.Context, src configs.PolicySource, doc *Document, known *knownPolicies, res *Result) error {
	p := storage.Policy{URL: doc.URL, Source: src.URL, Title: doc.Title, Issuer: doc.Issuer,
		DocNumber: doc.DocNumber, IndexNumber: doc.IndexNumber, WrittenDate: doc.WrittenDate, PublishedDate: doc.PublishedDate,
		Body: doc.Body, NoText: doc.NoText, Attachments: doc.Attachments, ContentHash: doc.Hash()}
	if old := known.match(doc); old != nil {
		if old.ContentHash == p.ContentHash {
			p.ID = old.ID
		} else {
			stored, err := s.st.Policy(ctx, old.ID)
			if err != nil {
				return err
			}
			if lost := lostFields(&stored, doc); lost != "" {
				res.Problems = append(res.Problems, fmt.Sprintf("政策文件 %s：新读到的页面%s，像是错误页或不完整的页面，已保留已保存的版本（政策 %d）", doc.URL, lost, old.ID))
				return nil
			}
			p.ID = old.ID
		}
	}
	id, change, err := s.st.SavePolicy(ctx, p)
	if err != nil {
		return err
	}
	switch change {
	case storage.PolicyNew:
		res.New = append(res.New, id)
	case storage.PolicyUpdated:
		res.Updated = append(res.Updated, id)
	default:
		res.Unchanged++
	}
	p.ID = id
	if old := known.match(doc); old != nil && old.URL != doc.URL {
		old.Aliases = append(old.Aliases, doc.URL)
		known.add(old)
	}
	if change != storage.PolicyUnchanged {
		known.add(&p)
		if doc.NoText != "" {
			res.Notes = append(res.Notes, noTextNote(doc))
		}
	}
	return nil
}

// lostFields says what a page lost of the stored document ("" when
// nothing): its 文号, its 索引号, or its text shrunk to a message.
func lostFields(old *storage.Policy, d *Document) string {
	var lost []string
	// What an earlier herald stored wrongly (「无」, 「主题分类:综合政务」 as a
	// 文号) is no 文号 to lose.
	if docNumber(old.DocNumber) != "" && d.DocNumber == "" {
		lost = append(lost, fmt.Sprintf("没有了原有的文号（%s）", old.DocNumber))
	}
	if old.IndexNumber != "" && d.IndexNumber == "" {
		lost = append(lost, fmt.Sprintf("没有了原有的索引号（%s）", old.IndexNumber))
	}
	if !likeTitle(old.Title, d.Title) {
		lost = append(lost, fmt.Sprintf("标题变成了「%s」", d.Title))
	}
	if old.NoText != "" && !slices.ContainsFunc(d.Attachments, func(a string) bool { return slices.Contains(old.Attachments, a) }) {
		lost = append(lost, "没有了原有的图片或附件")
	}
	was, now := utf8.RuneCountInString(old.Body), utf8.RuneCountInString(d.Body)
	// A page that is a picture or a file under the same title is a
	// document without text (an earlier herald stored the page's furniture
	// as its text), not a message.
	if was >= 100 && now < was/3 && (d.NoText == "" || !likeTitle(old.Title, d.Title)) {
		lost = append(lost, fmt.Sprintf("正文只剩 %d 字（原 %d 字）", now, was))
	}
	return strings.Join(lost, "、")
}

// noTextNote tells the clerk a document was stored without text.
func noTextNote(d *Document) string {
	what := "只有附件"
	if d.NoText == NoTextPicture {
		what = "只有图片"
	}
	return fmt.Sprintf("政策文件 %s：页面%s，没有文字，已保存标题等信息和%s名称：%s", d.URL, what, map[bool]string{true: "图片", false: "附件"}[d.NoText == NoTextPicture],
		strings.Join(d.Attachments, "、"))
}

// likeTitle reports whether b is a or an edit of it: at least half of a's
// characters are still in b (a corrected typo, an added 《》), not an error
// page's 「提示信息」.
func likeTitle(a, b string) bool {
	have := map[rune]int{}
	for _, r := range b {
		have[r]++
	}
	kept, n := 0, 0
	for _, r := range a {
		n++
		if have[r] > 0 {
			have[r]--
			kept++
		}
	}
	return n == 0 || kept*2 >= n
}
