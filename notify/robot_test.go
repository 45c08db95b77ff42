package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/herald-gov/herald/configs"
)

// A DingTalk robot with 加签 gets the timestamp and its HMAC-SHA256 sign.
func TestDingTalkSignature(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer srv.Close()
	r := NewRobot(configs.Notify{WebhookURL: srv.URL + "/robot/send?access_token=tok", Secret: "SECabc"}, nil)
	r.now = func() time.Time { return time.UnixMilli(1700000000000) }
	if err := r.Send(context.Background(), "测试"); err != nil {
		t.Fatal(err)
	}
	q := got.URL.Query()
	mac := hmac.New(sha256.New, []byte("SECabc"))
	mac.Write([]byte("1700000000000\nSECabc"))
	if q.Get("access_token") != "tok" || q.Get("timestamp") != "1700000000000" || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("signed query: %v", q)
	}
}

// Neither an unreachable robot nor a refusal puts the key in the error.
func TestRobotErrorsHoldNoKey(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	r := NewRobot(configs.Notify{WebhookURL: "http://" + addr + "/cgi-bin/webhook/send?key=robot-key-123", Secret: "SECxyz"}, nil)
	err := r.Send(context.Background(), "x")
	if err == nil || strings.Contains(err.Error(), "robot-key-123") || strings.Contains(err.Error(), "SECxyz") {
		t.Fatalf("unreachable robot: %v", err)
	}
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"errcode":93000,"errmsg":"invalid webhook url key=robot-key-123"}`))
	}))
	defer refuse.Close()
	r = NewRobot(configs.Notify{WebhookURL: refuse.URL + "/send?key=robot-key-123"}, nil)
	if err := r.Send(context.Background(), "x"); err == nil || strings.Contains(err.Error(), "robot-key-123") {
		t.Fatalf("refusal: %v", err)
	}
}
