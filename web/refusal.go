package web

import (
	"net/http"

	"github.com/herald-gov/herald/queue"
)

// fieldHints word a refusal's field for the console: which form field to
// look at, by the label the clerk sees on the page.
var fieldHints = map[string]string{
	"at":         "请检查「发布时间」",
	"cron":       "请检查「定时规则」",
	"secrecy_ok": "请勾选「已完成保密审查」",
	"comment":    "请在「退回原因」中填写",
	"title":      "请填写「标题」",
	"body":       "请检查「正文」",
	"source_url": "请检查「原文链接」",
	"images":     "请检查「图片」",
	"targets":    "请检查「发布到」",
	"docx":       "请检查「Word 文档」",
	"kind":       "请检查「稿件类型」",
	"priority":   "请检查「紧急」",
	"policy_id":  "请检查「关联政策」",
	"department": "请检查「部门」",
}

// refusalText is a refused action's line for a console page: the queue's
// message, and the form field it concerns by its label.
func refusalText(err error) string {
	r, ok := queue.AsRefusal(err)
	if !ok {
		return err.Error()
	}
	if h := fieldHints[r.Field]; h != "" {
		return err.Error() + "（" + h + "）"
	}
	return err.Error()
}

// refusalStatus is the HTTP status of a refusal: 403 denied, 404 not
// found, 409 wrong state, 422 content or input.
func refusalStatus(r *queue.Refusal) int {
	switch r.Code {
	case queue.RefusedDenied:
		return http.StatusForbidden
	case queue.RefusedNotFound:
		return http.StatusNotFound
	case queue.RefusedState:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}
