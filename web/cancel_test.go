package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// publishedToFabu makes an item (via the API) that is publishing, out on
// fabu and not yet started on scj-wx, as a fan-out caught mid-way.
func (e *apiEnv) publishedToFabu() string {
	e.t.Helper()
	ctx := context.Background()
	code, m, raw := e.do("POST", "/api/v1/items", "editor", article("fabu,scj-wx", "<p>正文</p>"))
	if code != 201 {
		e.t.Fatalf("create: %d %s", code, raw)
	}
	id := int64(m["id"].(float64))
	for _, step := range [][2]content.ItemState{{content.ItemInReview, content.ItemScheduled}, {content.ItemScheduled, content.ItemPublishing}} {
		if err := e.Store.TransitionItem(ctx, storage.Transition{ItemID: id, From: step[0], To: step[1], Actor: "t", Action: "t"}); err != nil {
			e.t.Fatal(err)
		}
	}
	ds, _ := e.Store.Deliveries(ctx, id)
	for _, d := range ds {
		if d.Account != "fabu" {
			continue
		}
		for _, u := range []storage.DeliveryUpdate{{ID: d.ID, From: content.DeliveryPending, To: content.DeliverySending, AttemptID: "a"},
			{ID: d.ID, From: content.DeliverySending, To: content.DeliveryPublished, AttemptID: "a", URL: "https://mp.weixin.qq.com/s/x"}} {
			if err := e.Store.UpdateDelivery(ctx, u); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	return itoa(id)
}

// The console's cancel and the API's cancel say the same as the CLI: what
// went out and what was stopped.
func TestConsoleAndAPICancelSayWhatWentOut(t *testing.T) {
	e := newAPI(t)
	want := []string{"已发出 1 个账号：青山发布", "已撤销 1 个账号：青山市场监管", "部分失败"}

	apiItem := e.publishedToFabu()
	code, m, raw := e.do("POST", "/api/v1/items/"+apiItem+"/cancel", "editor", nil)
	if code != 200 || m["state"] != "partially_failed" {
		t.Fatalf("API cancel: %d %s", code, raw)
	}
	msg, _ := m["cancel"].(map[string]any)["message"].(string)
	if m["cancel"].(map[string]any)["on_platform"] != true || strings.Contains(msg, "herald ") {
		t.Errorf("API cancel: on_platform %v, message %q (no command line in it)", m["cancel"].(map[string]any)["on_platform"], msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("API cancel message lacks %q: %s", w, msg)
		}
	}

	ed := e.browser()
	ed.login(e.tokens["editor"])
	consoleItem := e.publishedToFabu()
	code, page := ed.post("/console/items/"+consoleItem+"/cancel", url.Values{"csrf": {ed.csrf("/console/items/" + consoleItem)}})
	if code != 200 {
		t.Fatalf("console cancel: %d", code)
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("console cancel page lacks %q", w)
		}
	}
	if strings.Contains(page, "herald post") {
		t.Error("the console names a command line")
	}
	if strings.Contains(page, `id="cancel"`) {
		t.Error("the cancelled item still offers a cancel button")
	}
	// An editor is offered the button on an item still going out; a viewer is not.
	open := e.publishedToFabu()
	if _, page := ed.get("/console/items/" + open); !strings.Contains(page, `id="cancel"`) {
		t.Error("the editor is not offered cancel")
	}
	v := e.browser()
	v.login(e.tokens["viewer"])
	if _, page := v.get("/console/items/" + open); strings.Contains(page, `id="cancel"`) {
		t.Error("a viewer is offered cancel")
	}
}
