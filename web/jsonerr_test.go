package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestJSONProblemIsPlainChinese(t *testing.T) {
	type req struct {
		Revision int    `json:"revision"`
		Text     string `json:"text"`
	}
	cases := map[string]string{
		``:                  "请求体为空",
		`{"revision": 1`:    "内容在中途结束",
		`{"revision": x}`:   "第 14 个字节附近有误",
		`{"revision": "2"}`: "字段 revision 的值类型不对：应为数字",
		`{"text": 3}`:       "字段 text 的值类型不对：应为文字",
		`{"revison": 2}`:    "不认识的字段 revison",
		`[1]`:               "请求应为一个 JSON 对象",
		`{"text": "` + strings.Repeat("长", 40) + `"}`: "请求体太大",
	}
	for body, want := range cases {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		dec := json.NewDecoder(http.MaxBytesReader(httptest.NewRecorder(), r.Body, 64))
		dec.DisallowUnknownFields()
		var v req
		err := dec.Decode(&v)
		if err == nil {
			t.Fatalf("%q decoded", body)
		}
		got := jsonProblem(err)
		if !strings.Contains(got, want) || strings.Contains(got, "json:") {
			t.Errorf("%q: %q, want it to say %q and carry no Go text", body, got, want)
		}
	}
}
