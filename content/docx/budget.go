package docx

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
)

// budget is what one conversion may still spend: elements and the memory
// their tree keeps, the depth of nesting, the text read, and the steps of
// work the conversion takes. It is checked while the XML is parsed, so a
// document that would cost more is refused before it is held: a Go stack
// overflow or running out of memory cannot be recovered from, so depth and
// size are bounded before any recursion can get deep.
type budget struct {
	ctx context.Context
	lim Limits

	nodes    int   // elements kept in all parts
	treeCost int64 // bytes the kept tree costs, estimated from its fields
	text     int   // characters of w:t read (outside mc:Fallback)
	work     int64 // steps of conversion
	tick     int   // steps since the context was last checked
}

// stop is the panic that unwinds a conversion refused midway; ReadAt
// recovers it and returns its refusal.
type stop struct{ err *Error }

func newBudget(ctx context.Context, lim Limits) *budget {
	if ctx == nil {
		ctx = context.Background()
	}
	return &budget{ctx: ctx, lim: lim}
}

// abort refuses the conversion from anywhere inside it.
func (b *budget) abort(e *Error) { panic(stop{e}) }

// step spends n steps of work, and checks the context every few thousand.
func (b *budget) step(n int) {
	b.work += int64(n)
	if b.lim.MaxWork > 0 && b.work > b.lim.MaxWork {
		b.abort(refuse("too_complex", "Word 文档结构过于复杂，转换超出了处理上限（文件可能已损坏或被构造）：请在 Word 中另存为新的 .docx，或拆分后再导入"))
	}
	if b.tick += n; b.tick >= 4096 {
		b.tick = 0
		b.checkContext()
	}
}

func (b *budget) checkContext() {
	if b.ctx.Err() != nil {
		b.abort(refuse("cancelled", "Word 文档转换已取消（请求已中止或超时）：请重新导入"))
	}
}

// element spends what keeping one more element costs; depth is its
// nesting in its part.
func (b *budget) element(depth int, cost int64) {
	b.nodes++
	b.treeCost += cost
	b.step(1)
	switch {
	case b.lim.MaxDepth > 0 && depth > b.lim.MaxDepth:
		b.abort(refuse("too_complex", "Word 文档的内容嵌套超过 %d 层（文件可能已损坏或被构造）：请在 Word 中另存为新的 .docx 后再导入", b.lim.MaxDepth))
	case b.lim.MaxNodes > 0 && b.nodes > b.lim.MaxNodes, b.lim.MaxTreeBytes > 0 && b.treeCost > b.lim.MaxTreeBytes:
		b.abort(refuse("too_complex", "Word 文档的排版元素超过 %d 个的处理上限（文件可能已损坏，或文档过长）：请在 Word 中另存为新的 .docx，或拆分后再导入", b.lim.MaxNodes))
	}
}

// readText counts characters of text as they are read; far past the
// article's limit the document is refused without reading on.
func (b *budget) readText(n int) {
	b.text += n
	if b.lim.MaxChars > 0 && b.text > 2*b.lim.MaxChars {
		b.abort(refuse("too_long", "Word 文档的文字超过 %d 字，微信正文须少于 %d 字（含排版标记）：请拆分为几篇分别导入", 2*b.lim.MaxChars, b.lim.MaxChars))
	}
}

// guard turns a panic inside a conversion into a refusal: a stop carries
// its own; anything else is a fault of this reader on a file it did not
// expect, refused in one line and logged with its stack.
func guard(errp *error, a **Article) {
	p := recover()
	if p == nil {
		return
	}
	*a = nil
	if s, ok := p.(stop); ok {
		*errp = s.err
		return
	}
	slog.Error("docx: conversion panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	*errp = refuse("internal", "Word 文档的内容无法转换（文件结构异常）：请在 Word 中打开，另存为新的 .docx 后再导入")
}
