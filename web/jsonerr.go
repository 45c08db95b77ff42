// How a request body that is not the JSON an endpoint wants is told to the
// caller: one Chinese line naming the field or the place, no Go error text.

package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// jsonProblem words a json.Decoder error for the API's answer.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return "请求体为空：应为一个 JSON 对象"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "请求不是完整的 JSON：内容在中途结束"
	case errors.As(err, &tooBig):
		return fmt.Sprintf("请求体太大（上限 %d 字节）", tooBig.Limit)
	case errors.As(err, &syntax):
		return fmt.Sprintf("请求不是有效的 JSON：第 %d 个字节附近有误", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "请求应为一个 JSON 对象"
		}
		return fmt.Sprintf("字段 %s 的值类型不对：应为%s", typ.Field, jsonKind(typ.Type.Kind().String()))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "请求中有不认识的字段 " + strings.Trim(f, `"`)
	}
	return "请求不是有效的 JSON"
}

// jsonKind names a Go kind as the JSON value it reads from.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "数字"
	case kind == "string":
		return "文字（字符串）"
	case kind == "bool":
		return " true 或 false"
	case kind == "slice", kind == "array":
		return "列表"
	default:
		return "对象"
	}
}
