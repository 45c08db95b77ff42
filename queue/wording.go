// The wording lists run over a revision.

package queue

import "github.com/herald-gov/herald/content"

// WordingHits returns every wording-list hit in a revision (for previews).
func (s *Service) WordingHits(kind content.Kind, r *content.Revision) []content.Hit {
	return s.wording.Check(kind, r)
}

// CheckWording runs the wording lists over a revision: blocking hits come
// back as a refusal, warnings as audit lines.
func (s *Service) CheckWording(kind content.Kind, r *content.Revision) (warnings []string, err error) {
	hits := s.wording.Check(kind, r)
	if msg := content.Blocking(hits); msg != "" {
		return nil, refuse(RefusedContent, "", "%s", msg)
	}
	for _, h := range hits {
		warnings = append(warnings, "用语提醒："+h.Message())
	}
	return warnings, nil
}
