package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/herald-gov/herald/internal/testenv"
)

func TestInboxFiguresInMonthlyAndAnnualReports(t *testing.T) {
	e := newEnv(t, inboxOptions(t))
	inboxDaemon(t, e)
	_, msgDataID := e.publishArticle("关于秋季征兵的通告")
	for i, text := range []string{"报名截止到哪天？", "体检在哪里？", "广告：代办证件"} {
		if _, err := e.Sandbox.LeaveComment("wx1", msgDataID, 0, fmt.Sprintf("o-%d", i), text, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	e.herald("inbox", "sync")
	es := e.inboxList()
	if len(es) != 3 {
		t.Fatalf("entries %+v", es)
	}
	if code, _, errs := e.herald("inbox", "reply", "--as", "陈晓", "--text", "报名截止到本月底。", strconv.FormatInt(es[0].ID, 10)); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := e.herald("inbox", "close", "--as", "陈晓", "--reason", "广告", strconv.FormatInt(es[2].ID, 10)); code != 0 {
		t.Fatal(errs)
	}
	now := time.Now().In(e.Config.Location)
	monthly := filepath.Join(e.dir, "m.xlsx")
	if code, _, errs := e.herald("report", "monthly", "--month", now.Format("2006-01"), "--out", monthly); code != 0 {
		t.Fatal(errs)
	}
	f, err := excelize.OpenFile(monthly)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("互动")
	var fabu []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "fabu" {
			fabu = r
		}
	}
	// 留言/消息数 3, 已回复 1, 无需回复 1, 回复率 1/(3-1) = 50%, 超期未复 0.
	if len(fabu) < 9 || fabu[3] != "3" || fabu[4] != "1" || fabu[5] != "1" || !strings.HasPrefix(fabu[6], "50") || fabu[8] != "0" {
		t.Fatalf("互动 row %q", fabu)
	}
	annual := filepath.Join(e.dir, "a.xlsx")
	code, out, errs := e.herald("report", "annual", "--year", now.Format("2006"), "--out", annual)
	if code != 0 {
		t.Fatal(errs)
	}
	if !strings.Contains(out, "收到留言 3 条，办结 2 条") {
		t.Fatalf("annual printed %q", out)
	}
	g, err := excelize.OpenFile(annual)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	values := map[string]string{}
	rows, _ = g.GetRows("互动交流")
	for _, r := range rows {
		if len(r) >= 3 {
			values[r[0]] = r[len(r)-1]
		}
	}
	if values["收到留言数量"] != "3" || values["办结留言数量"] != "2" || values["公开答复数量"] != "1" || values["平均办理时间（天）"] == "" {
		t.Fatalf("留言办理 %v", values)
	}
	media, _ := g.GetRows("移动新媒体")
	found := false
	for _, r := range media {
		if len(r) >= 2 && r[0] == "微信" && r[1] == "青山发布" {
			found = true
		}
	}
	if !found {
		t.Fatalf("移动新媒体 rows %q", media)
	}
}

// TestServePollsCommentsAndTellsTheRobot: serve reads comments every
// interaction.poll by itself and tells the group robot once; an article
// whose comments WeChat will not give (88000) is recorded and not asked again.
func TestServePollsCommentsAndTellsTheRobot(t *testing.T) {
	var mu sync.Mutex
	var told []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		told = append(told, m.Text.Content)
		mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer robot.Close()
	o := inboxOptions(t)
	o.YAML += "notify: {webhook_url: \"" + robot.URL + "/send?key=k\"}\n"
	e := newEnv(t, o)
	e.startDaemon(func(d *daemon) { d.inboxPoll = 100 * time.Millisecond })
	_, msgDataID := e.publishArticle("关于冬季森林防火的通告")
	if _, err := e.Sandbox.LeaveComment("wx1", msgDataID, 0, "o-1", "山上还能烧纸祭祖吗？", time.Now()); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "serve to read the comment and tell the robot", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(e.inboxList()) == 1 && len(told) > 0
	})
	mu.Lock()
	n := 0
	for _, m := range told {
		if strings.Contains(m, "【互动】青山发布 收到 1 条") {
			n++
		}
	}
	mu.Unlock()
	if n != 1 {
		t.Fatalf("robot told %q", told)
	}
	// No comment permission: asked once, recorded, not asked again.
	e.Sandbox.DenyComments("wx1")
	calls := func() int { return e.Sandbox.Snapshot().WeChat["wx1"].Calls["/cgi-bin/comment/list"] }
	before := calls()
	testenv.Eventually(t, "the refused read recorded", func() bool {
		cs, err := e.Store.InboxCursors(context.Background(), "fabu")
		for _, c := range cs {
			if c.Unreadable != "" {
				return err == nil && calls() > before
			}
		}
		return false
	})
	refused := calls()
	if code, out, errs := e.herald("inbox", "sync"); code != 0 || calls() != refused {
		t.Fatalf("sync after 88000: exit %d %s %s; comment/list calls %d → %d", code, out, errs, refused, calls())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range told[1:] {
		if strings.Contains(m, "【互动】") {
			t.Fatalf("the robot was told of the same entry twice: %q", told)
		}
	}
}
