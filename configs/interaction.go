package configs

import (
	"encoding/base64"
	"fmt"
	"time"
)

func (c *Config) validateInteraction() error {
	in := &c.Interaction
	if in.AnswerWithin < 1 || in.AnswerWithin > 30 {
		return &Error{"interaction.answer_within", fmt.Sprintf("须在 1 到 30 个工作日之间，现为 %d", in.AnswerWithin)}
	}
	if in.RemindBefore < 0 {
		return &Error{"interaction.remind_before", "不能为负"}
	}
	if in.Poll < 30*time.Second {
		return &Error{"interaction.poll", "至少为 30s（平台按小时限制调用次数）"}
	}
	if in.Days < 1 || in.Days > 366 {
		return &Error{"interaction.days", fmt.Sprintf("须在 1 到 366 之间，现为 %d", in.Days)}
	}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if a.Platform == PlatformWeibo && (a.Token != "" || a.EncodingAESKey != "") {
			return &Error{fmt.Sprintf("accounts[%d].token", i), "token 和 encoding_aes_key 是公众号的配置项；此账号的平台是 weibo"}
		}
	}
	return nil
}

// validatePushKeys checks a WeChat account's 服务器配置: both keys or
// neither; the token 3–32 letters or digits; the EncodingAESKey 43
// characters of base64.
func validatePushKeys(key string, a *Account) error {
	if a.Token == "" && a.EncodingAESKey == "" {
		return nil
	}
	if a.Token == "" {
		return &Error{key + ".token", "未填写：消息推送（服务器配置）需要 token 和 encoding_aes_key 两项"}
	}
	if a.EncodingAESKey == "" {
		return &Error{key + ".encoding_aes_key", "未填写：消息推送（服务器配置）需要 token 和 encoding_aes_key 两项（herald 只接收安全模式的推送）"}
	}
	if len(a.Token) < 3 || len(a.Token) > 32 {
		return &Error{key + ".token", "须为 3 到 32 个英文字母或数字，与公众平台服务器配置中的 Token 相同"}
	}
	for _, r := range a.Token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return &Error{key + ".token", "须为 3 到 32 个英文字母或数字，与公众平台服务器配置中的 Token 相同"}
		}
	}
	if b, err := base64.StdEncoding.DecodeString(a.EncodingAESKey + "="); len(a.EncodingAESKey) != 43 || err != nil || len(b) != 32 {
		return &Error{key + ".encoding_aes_key", "须为公众平台服务器配置中显示的 43 个字符的 EncodingAESKey"}
	}
	return nil
}
