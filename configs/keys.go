package configs

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// checkUnknownKeys walks the settings viper read and fails on the first key
// that no field of Config takes, so that a typo never passes silently.
func checkUnknownKeys(settings map[string]any) error {
	return walkKeys("", settings, reflect.TypeFor[Config]())
}

func walkKeys(prefix string, value any, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Duration]() {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := value.(map[string]any)
		if !ok {
			if value == nil {
				return nil
			}
			return &Error{strings.TrimPrefix(prefix, "."), "须为键值映射"}
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("mapstructure")
			if tag == "" || tag == "-" {
				continue
			}
			fields[tag] = f.Type
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			path := strings.TrimPrefix(prefix+"."+k, ".")
			ft, ok := fields[k]
			if !ok {
				return &Error{path, "未知的配置项（请检查拼写；参见 configs/herald.example.yaml）"}
			}
			if err := walkKeys(path, m[k], ft); err != nil {
				return err
			}
		}
	case reflect.Slice:
		items, ok := value.([]any)
		if !ok {
			return nil // scalars are left to the decoder's own type errors
		}
		for i, it := range items {
			if err := walkKeys(fmt.Sprintf("%s[%d]", prefix, i), it, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}
