package main

import "github.com/herald-gov/herald/queue"

// flagHints word a refusal's field for the command line: how to fix it,
// with the flag that sets it.
var flagHints = map[string]string{
	"at":         "发布时间用 --at 指定；已有稿件用 herald post edit --at TIME ID 修改",
	"cron":       "定时规则用 --cron 指定",
	"secrecy_ok": "确认保密审查后加 --secrecy-ok",
	"comment":    "用 --comment 写明原因",
	"title":      "用 --title 指定标题",
	"body":       "正文用 --body-file（短讯用 --text）给出",
	"source_url": "原文链接用 --source-url 指定",
	"images":     "图片用 --image 给出",
	"targets":    "账号用 --to 指定；herald accounts list 可查看全部账号",
	"docx":       "Word 文档用 --docx 给出，不能与 --body-file 同用",
	"kind":       "用 --kind 指定稿件类型（Word 文档须 --kind article）",
	"priority":   "用 --priority urgent 或 normal",
	"policy_id":  "用 --policy 指定；herald policy list 查看政策编号",
	"department": "用 --department 指定部门",
}

// refusalLine is a refused action's line for the terminal: the queue's
// message and, when it concerns an input, the flag that fixes it.
func refusalLine(err error) string {
	r, ok := queue.AsRefusal(err)
	if !ok {
		return err.Error()
	}
	if r.Field == "docx" && r.Code == queue.RefusedContent {
		return err.Error() // the document's own line says what to do with it
	}
	if h := flagHints[r.Field]; h != "" {
		return err.Error() + "（" + h + "）"
	}
	return err.Error()
}
