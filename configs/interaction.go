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
		return &Error{key + ".token", "missing: the push (消息推送) needs both token and encoding_aes_key"}
	}
	if a.EncodingAESKey == "" {
		return &Error{key + ".encoding_aes_key", "missing: the push (消息推送) needs both token and encoding_aes_key (herald takes only safe-mode pushes)"}
	}
	if len(a.Token) < 3 || len(a.Token) > 32 {
		return &Error{key + ".token", "must be 3 to 32 letters or digits, as the 公众平台 sets it"}
	}
	for _, r := range a.Token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return &Error{key + ".token", "must be 3 to 32 letters or digits, as the 公众平台 sets it"}
		}
	}
	if b, err := base64.StdEncoding.DecodeString(a.EncodingAESKey + "="); len(a.EncodingAESKey) != 43 || err != nil || len(b) != 32 {
		return &Error{key + ".encoding_aes_key", "must be the 43 characters the 公众平台 shows as EncodingAESKey"}
	}
	return nil
}
