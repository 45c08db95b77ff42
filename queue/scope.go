package queue

import (
	"context"
	"errors"

	"github.com/herald-gov/herald/configs"
	"github.com/herald-gov/herald/content"
	"github.com/herald-gov/herald/storage"
)

// The one department rule for reads, used by the CLI, the API and the
// console alike: the news office (or an actor with no department: the
// command line on the server) sees every account and item; any other
// department sees its own accounts and the items it made.

// SeesAll reports whether actor sees every account and item.
func (s *Service) SeesAll(actor Actor) bool { return s.unrestricted(actor) }

// Accounts returns the active accounts actor may see, in the store's order.
func (s *Service) Accounts(ctx context.Context, actor Actor) ([]storage.Account, error) {
	all, err := s.store.Accounts(ctx, false)
	if err != nil {
		return nil, err
	}
	if s.unrestricted(actor) {
		return all, nil
	}
	out := []storage.Account{}
	for _, a := range all {
		if s.cfg.MayPublishTo(actor.Department, a.Department) {
			out = append(out, a)
		}
	}
	return out, nil
}

// AccountIDs returns the ids of the accounts actor may see.
func (s *Service) AccountIDs(ctx context.Context, actor Actor) ([]string, error) {
	accts, err := s.Accounts(ctx, actor)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	return ids, nil
}

// Items lists the items actor may see that match f.
func (s *Service) Items(ctx context.Context, actor Actor, f storage.ItemFilter) ([]content.Item, error) {
	if !s.unrestricted(actor) {
		f.Department = actor.Department
	}
	return s.store.ListItems(ctx, f)
}

// resolveTargets turns a TARGETS spec into active accounts and checks the
// actor's department may publish to each.
func (s *Service) resolveTargets(ctx context.Context, actor Actor, spec string) (content.Targets, []storage.Account, error) {
	tg, err := content.ParseTargets(spec)
	if err != nil {
		return tg, nil, refuse(RefusedInput, "targets", "%v", err)
	}
	all, err := s.store.Accounts(ctx, false)
	if err != nil {
		return tg, nil, err
	}
	var out []storage.Account
	switch {
	case tg.All:
		out = all
	case tg.Group != "":
		for _, a := range all {
			if tg.Includes(a.ID, a.Groups) {
				out = append(out, a)
			}
		}
		if len(out) == 0 {
			return tg, nil, refuse(RefusedInput, "targets", "分组 %q 没有任何账号（账号的 groups 里没有这个分组）", tg.Group)
		}
	default:
		byID := map[string]storage.Account{}
		for _, a := range all {
			byID[a.ID] = a
		}
		for _, id := range tg.IDs {
			a, ok := byID[id]
			if !ok {
				return tg, nil, refuse(RefusedInput, "targets", "账号 %q 不存在或已停用", id)
			}
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return tg, nil, refuse(RefusedInput, "targets", "没有可发布的账号：配置中还没有账号")
	}
	if !s.unrestricted(actor) {
		if tg.All || tg.Group != "" {
			// A department publishing to "all" or a group gets its own accounts in it.
			var own []storage.Account
			for _, a := range out {
				if s.cfg.MayPublishTo(actor.Department, a.Department) {
					own = append(own, a)
				}
			}
			if len(own) == 0 {
				return tg, nil, refuse(RefusedDenied, "targets", "%s 在 %s 中没有本部门的账号", s.deptName(actor.Department), tg.String())
			}
			out = own
			ids := make([]string, len(own))
			for i, a := range own {
				ids[i] = a.ID
			}
			tg = content.Targets{IDs: ids}
		} else {
			for _, a := range out {
				if !s.cfg.MayPublishTo(actor.Department, a.Department) {
					return tg, nil, refuse(RefusedDenied, "targets", "%s 只能向本部门账号发布：%s（%s）不属于本部门", s.deptName(actor.Department), a.ID, a.Name)
				}
			}
		}
	}
	return tg, out, nil
}

// unrestricted reports whether the actor sees, and may target, every
// account (configs.SeesAll).
func (s *Service) unrestricted(a Actor) bool { return s.cfg.SeesAll(a.Department) }

func (s *Service) deptName(id string) string {
	if d, ok := s.cfg.Department(id); ok {
		return d.Name
	}
	return id
}

// CheckActor returns a refusal if the actor names an unknown department.
func (s *Service) CheckActor(a Actor) error {
	if a.Department == "" {
		return nil
	}
	if _, ok := s.cfg.Department(a.Department); !ok {
		return refuse(RefusedDenied, "department", "未知的部门 %q（见配置 departments）", a.Department)
	}
	return nil
}

// mayTouch reports whether actor may act on an item of another department.
func (s *Service) mayTouch(actor Actor, it *content.Item) error {
	if s.unrestricted(actor) || it.Department == actor.Department {
		return nil
	}
	// The same answer as for a missing item: another department's item
	// numbers are not confirmed to exist.
	return refuse(RefusedNotFound, "", "稿件 %d 不存在", it.ID)
}

func platformsOf(accounts []storage.Account) content.Platforms {
	var p content.Platforms
	for _, a := range accounts {
		switch a.Platform {
		case configs.PlatformWeChat:
			p.WeChat = true
		case configs.PlatformWeibo:
			p.Weibo = true
		}
	}
	return p
}

// Item returns an item if the actor may see it.
func (s *Service) Item(ctx context.Context, actor Actor, id int64) (content.Item, error) {
	it, err := s.store.Item(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return it, refuse(RefusedNotFound, "", "稿件 %d 不存在", id)
	}
	if err != nil {
		return it, err
	}
	return it, s.mayTouch(actor, &it)
}
