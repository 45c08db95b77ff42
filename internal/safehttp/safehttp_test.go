package safehttp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestScrubRemovesQueriesAndKeepsTheCause(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // a dead port: connection refused
	c := NewClient(time.Second, 0)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/2/users/show.json?access_token=SEKRIT&uid=1", nil)
	_, err = c.Do(req)
	if err == nil {
		t.Fatal("a dead port answered")
	}
	if strings.Contains(err.Error(), "SEKRIT") || strings.Contains(err.Error(), "uid=1") {
		t.Fatalf("error keeps the query: %v", err)
	}
	if !strings.Contains(err.Error(), "/2/users/show.json") {
		t.Fatalf("error lost the path: %v", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) {
		t.Fatalf("error no longer unwraps to the network error: %#v", err)
	}
}

func TestScrubKeepsTimeouts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }))
	defer srv.Close()
	c := NewClient(50*time.Millisecond, 0)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/cgi-bin/token?grant_type=client_credential&appid=wx&secret=SEKRIT", nil)
	_, err := c.Do(req)
	if err == nil || strings.Contains(err.Error(), "SEKRIT") {
		t.Fatalf("err = %v", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a timeout no longer says so: %#v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x?key=SEKRIT", nil)
	_, err = c.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "SEKRIT") {
		t.Fatalf("err = %v", err)
	}
}

func TestStripQueriesInLibraryText(t *testing.T) {
	for in, bad := range map[string]string{
		"http post error : uri=https://api.weixin.qq.com/cgi-bin/material/add_material?access_token=TOK&type=image , statusCode=502": "TOK",
		"get /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=SEC failed":                                                "SEC",
		`Post "http://127.0.0.1:1/cgi-bin/webhook/send?key=ROBOT": EOF`:                                                              "ROBOT",
		"errcode=40001 access_token=TOK2": "TOK2",
	} {
		out := StripQueries(in)
		if strings.Contains(out, bad) {
			t.Errorf("%q -> %q keeps %s", in, out, bad)
		}
	}
	if got := StripQueries("wechat token: errcode=40125 invalid appsecret"); got != "wechat token: errcode=40125 invalid appsecret" {
		t.Errorf("text without a credential changed: %q", got)
	}
}
