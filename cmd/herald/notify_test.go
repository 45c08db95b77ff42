package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-gov/herald/channels/sandbox"
	"github.com/herald-gov/herald/internal/testenv"
)

// testRobot is a group robot on loopback that records the text of every
// message; with down set it answers 502 to everything.
type testRobot struct {
	mu   sync.Mutex
	msgs []string
	down bool
}

func (r *testRobot) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	var m struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.NewDecoder(req.Body).Decode(&m); err != nil || m.MsgType != "text" {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	r.msgs = append(r.msgs, m.Text.Content)
	w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
}

func (r *testRobot) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

// startNotifyDaemon runs serve with three review levels against a sandbox
// and robot, and returns a CLI environment for it.
func startNotifyDaemon(t *testing.T, robotURL string) (*env, *sandbox.Server) {
	t.Helper()
	e := newEnv(t, testenv.Options{Sandbox: sandbox.Options{Seed: 5}, YAML: fmt.Sprintf(`listen: 127.0.0.1:0
review:
  levels: [初审, 复审, 终审]
  reviewers: {初审: [张敏], 复审: [王强], 终审: [刘建国]}
notify: {webhook_url: %q, console_url: "https://herald.qingshan.gov.cn/"}
departments:
  - {id: xwb, name: 新闻办, office: true}
`, robotURL), Accounts: "- {id: fabu, name: 青山发布, platform: wechat, department: xwb, app_id: wx1, app_secret: s}"})
	e.startDaemon(func(d *daemon) { d.notifyPoll = 50 * time.Millisecond })
	return e, e.Sandbox
}

func (e *env) signAll(id int64) {
	e.t.Helper()
	for _, who := range []string{"张敏", "王强", "刘建国"} {
		if code, _, errs := e.herald("post", "approve", "--as", who, "--secrecy-ok", strconv.FormatInt(id, 10)); code != 0 {
			e.t.Fatalf("approve as %s: %s", who, errs)
		}
	}
}

func TestRobotToldOfReviewRejectionAndFailure(t *testing.T) {
	robot := &testRobot{}
	rs := httptest.NewServer(robot)
	defer rs.Close()
	e, sb := startNotifyDaemon(t, rs.URL+"/cgi-bin/webhook/send?key=robot-key-123")

	id := e.addArticle("--to", "fabu", "--at", "now")
	e.signAll(id)
	waitFor(t, "the item to be published and told", func() bool { return len(robot.messages()) >= 5 })

	rejected := e.addArticle("--to", "fabu", "--at", "now")
	if code, _, errs := e.herald("post", "reject", "--as", "张敏", "--comment", "第二段数据请核实", strconv.FormatInt(rejected, 10)); code != 0 {
		t.Fatalf("reject: %s", errs)
	}
	sb.SetFaults(sandbox.Faults{RejectShare: 1})
	failing := e.addArticle("--to", "fabu", "--at", "now")
	e.signAll(failing)
	waitFor(t, "the failure to be told", func() bool {
		for _, m := range robot.messages() {
			if strings.Contains(m, "发布失败") {
				return true
			}
		}
		return false
	})

	msgs := robot.messages()
	want := []struct {
		item  int64
		parts []string
	}{
		{id, []string{"【待初审】", "可签：张敏", "https://herald.qingshan.gov.cn/console/items/" + strconv.FormatInt(id, 10)}},
		{id, []string{"【待复审】", "初审已由 张敏 签发", "可签：王强"}},
		{id, []string{"【待终审】", "可签：刘建国"}},
		{id, []string{"【审核通过】", "刘建国"}},
		{id, []string{"【已发布】", "1 个账号"}},
		{rejected, []string{"【待初审】"}},
		{rejected, []string{"【退回修改】", "张敏", "第二段数据请核实"}},
		{failing, []string{"【待初审】"}},
		{failing, []string{"【待复审】"}},
		{failing, []string{"【待终审】"}},
		{failing, []string{"【审核通过】"}},
		{failing, []string{"【发布失败】", "fabu"}},
	}
	if len(msgs) != len(want) {
		t.Fatalf("robot got %d messages, want %d:\n%s", len(msgs), len(want), strings.Join(msgs, "\n---\n"))
	}
	// What the robot said went out did, once; what it said failed did not.
	if pub := sb.Snapshot().WeChat["wx1"].Published; len(pub) != 1 || pub[0].Title != "县政府常务会议" {
		t.Fatalf("the platform published %d articles, want the first item's only", len(pub))
	}
	for i, w := range want {
		parts := append(w.parts, "县政府常务会议", "编号 "+strconv.FormatInt(w.item, 10))
		for _, p := range parts {
			if !strings.Contains(msgs[i], p) {
				t.Errorf("message %d lacks %q:\n%s", i+1, p, msgs[i])
			}
		}
	}
}

// A robot that is down delays nothing: the item goes out as fast as with no
// robot, and the messages follow once the robot is back.
func TestRobotDownDelaysNothing(t *testing.T) {
	robot := &testRobot{down: true}
	rs := httptest.NewServer(robot)
	defer rs.Close()
	e, sb := startNotifyDaemon(t, rs.URL+"/robot/send?access_token=dingtalk-token")
	id := e.addArticle("--to", "fabu", "--at", "now")
	e.signAll(id)
	signed := time.Now()
	waitFor(t, "the platform to publish", func() bool { return len(sb.Snapshot().WeChat["wx1"].Published) == 1 })
	t.Logf("published %s after the last signature with the robot down", time.Since(signed).Round(time.Millisecond))
	if n := len(robot.messages()); n != 0 {
		t.Fatalf("robot down but got %d messages", n)
	}
	robot.mu.Lock()
	robot.down = false
	robot.mu.Unlock()
	waitFor(t, "the messages after the robot came back", func() bool { return len(robot.messages()) >= 5 })
	if msgs := robot.messages(); len(msgs) != 5 {
		t.Fatalf("robot got %d messages after it came back, want 5:\n%s", len(msgs), strings.Join(msgs, "\n---\n"))
	}
	if m := robot.messages()[0]; !strings.Contains(m, "【待初审】") {
		t.Fatalf("first message after recovery: %s", m)
	}
}
