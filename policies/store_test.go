package policies

import (
	"strings"
	"testing"

	"github.com/herald-gov/herald/storage"
)

// What an earlier herald stored wrongly is corrected, not defended: a 文号
// 「无」 is no 文号 to lose, the furniture stored as a 图解's text is no text
// to lose.
func TestLostFieldsIgnoresWhatWasStoredWrongly(t *testing.T) {
	chrome := strings.Repeat("当前位置：首页 > 政策解读 相关文件：青山县人民政府办公室关于印发实施方案的通知 扫一扫在手机打开当前页 打印本页 关闭窗口 ", 3)
	for _, c := range []struct {
		name string
		old  storage.Policy
		new  Document
		want string
	}{
		{"文号 无", storage.Policy{Title: "关于做好寒假安全工作的通知", DocNumber: "无"}, Document{Title: "关于做好寒假安全工作的通知"}, ""},
		{"文号 a label", storage.Policy{Title: "通告", DocNumber: "主题分类:综合政务"}, Document{Title: "通告"}, ""},
		{"图解", storage.Policy{Title: "一图读懂《实施方案》", Body: chrome},
			Document{Title: "一图读懂《实施方案》", NoText: NoTextPicture, Attachments: []string{"一图读懂《实施方案》"}}, ""},
		{"a real 文号 lost", storage.Policy{Title: "关于印发方案的通知", DocNumber: "青政办发〔2026〕15号"}, Document{Title: "关于印发方案的通知"},
			"没有了原有的文号（青政办发〔2026〕15号）"},
		{"text to a message", storage.Policy{Title: "关于印发方案的通知", Body: chrome}, Document{Title: "关于印发方案的通知", Body: "本页面正在维护，请稍后访问本站其他栏目。"},
			"正文只剩 20 字（原 192 字）"},
	} {
		if got := lostFields(&c.old, &c.new); got != c.want {
			t.Errorf("%s: lost %q, want %q", c.name, got, c.want)
		}
	}
}
