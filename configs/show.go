package configs

import (
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// secretKeys are masked by Redacted YAML output.
var secretKeys = map[string]bool{"app_secret": true, "access_token": true, "secret": true, "token": true, "encoding_aes_key": true, "secret_access_key": true}

// Mask is what a set secret is shown as.
const Mask = "********"

// ShowYAML renders the effective configuration as YAML, keys in the order of
// the Config struct, with every secret masked.
func (c *Config) ShowYAML() ([]byte, error) {
	node := toNode(reflect.ValueOf(*c))
	out, err := yaml.Marshal(node)
	if err != nil {
		return nil, fmt.Errorf("config: render: %w", err)
	}
	return out, nil
}

func toNode(v reflect.Value) *yaml.Node {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		return scalar(v.Interface().(time.Duration).String(), "!!str")
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return scalar("null", "!!null")
		}
		return toNode(v.Elem())
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			tag := t.Field(i).Tag.Get("mapstructure")
			if tag == "" || tag == "-" {
				continue
			}
			fv := v.Field(i)
			if fv.IsZero() && fv.Kind() == reflect.String && isOptional(tag) {
				continue
			}
			if secretKeys[tag] {
				if fv.String() != "" {
					fv = reflect.ValueOf(Mask)
				}
			} else if fv.Kind() == reflect.String && (strings.HasSuffix(tag, "_url") || strings.Contains(fv.String(), "://")) {
				fv = reflect.ValueOf(MaskURL(fv.String()))
			}
			n.Content = append(n.Content, scalar(tag, "!!str"), toNode(fv))
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		if v.Len() > 0 && v.Index(0).Kind() == reflect.Struct {
			n.Style = 0
		}
		for i := 0; i < v.Len(); i++ {
			n.Content = append(n.Content, toNode(v.Index(i)))
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			n.Content = append(n.Content, scalar(k.String(), "!!str"), toNode(v.MapIndex(k)))
		}
		return n
	case reflect.Bool:
		return scalar(fmt.Sprint(v.Bool()), "!!bool")
	case reflect.Int, reflect.Int64, reflect.Int32:
		return scalar(fmt.Sprint(v.Int()), "!!int")
	default:
		return scalar(fmt.Sprint(v.Interface()), "!!str")
	}
}

// isOptional reports keys left out of ShowYAML when empty, to keep per-account
// output short (the *_file/*_env sources and the other platform's keys).
func isOptional(tag string) bool {
	switch tag {
	case "app_secret_file", "app_secret_env", "access_token_file", "access_token_env",
		"app_id", "type", "uid", "token_expires", "link_url", "department",
		"secret_access_key_file", "secret_access_key_env", "secret_file", "secret_env",
		"encoding_aes_key_file", "encoding_aes_key_env", "app_secret", "access_token", "token", "encoding_aes_key":
		return true
	}
	return false
}

// MaskURL masks the credentials a URL may carry: every query value (a group
// robot's key=, a DingTalk access_token=) and a userinfo password (or a
// userinfo name standing alone). Every URL in the config is shown through
// it (api_base, a proxy with a password in it, included).
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.ContainsAny(raw, "?@") {
			return Mask
		}
		return raw
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Mask)
		} else {
			u.User = url.User(Mask) // a name alone may be a token
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		parts := make([]string, 0, len(q))
		for k := range q {
			parts = append(parts, url.QueryEscape(k)+"="+Mask)
		}
		sort.Strings(parts)
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.String()
}

func scalar(value, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag}
}
