package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/graphic"
	"github.com/herald-gov/herald/queue"
)

// themeFor builds the office's graphic theme from the config.
func themeFor(cfg *configs.Config) (graphic.Theme, error) { return queue.GraphicTheme(cfg) }

// renderPolicy lays out and draws a policy description file.
func renderPolicy(cfg *configs.Config, path string) (*graphic.Policy, [][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("无法读取政策文件：%s", fileProblem(err))
	}
	return renderPolicyData(cfg, data, path)
}

// renderPolicyData lays out and draws a policy description. What is wrong
// with the description is bad content (exit 1), not bad usage.
func renderPolicyData(cfg *configs.Config, data []byte, path string) (*graphic.Policy, [][]byte, error) {
	p, err := graphic.ParsePolicy(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	theme, err := themeFor(cfg)
	if err != nil {
		return nil, nil, err
	}
	doc, err := graphic.Layout(p, theme)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	pages, err := doc.Render()
	return p, pages, err
}

func cmdGraphicRender(ctx context.Context, a *app, args []string) error {
	fs := a.flags("graphic render")
	cfgPath := fs.String("config", "", "配置文件（本单位的颜色、页脚和徽标）")
	in := fs.String("in", "", "政策描述文件（YAML，或带 front matter 的 Markdown）")
	out := fs.String("out", "", "PNG 图片的输出文件夹")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return usagef("请用 --in 指定政策文件（POLICY.yaml），用 --out 指定输出文件夹")
	}
	cfg, err := loadConfig(*cfgPath)
	defaultStyle := errors.Is(err, configs.ErrNoConfig)
	if defaultStyle {
		// A clerk with only a policy file in hand: render in the default
		// style rather than refuse.
		cfg, err = configs.Parse(nil)
	}
	if err != nil {
		return err
	}
	_, pages, err := renderPolicy(cfg, *in)
	if err != nil {
		return err // one line: the default-style notice is for pages that were drawn
	}
	if defaultStyle {
		fmt.Fprintln(a.stderr, "未找到配置文件：按默认样式（红色，无页脚、无徽标）生成；用 --config 指定本单位配置可使用其 graphic 颜色、页脚和徽标。")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for i, b := range pages {
		path := filepath.Join(*out, fmt.Sprintf("page-%02d.png", i+1))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, path)
	}
	return nil
}
