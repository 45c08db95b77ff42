package content

import "testing"

func TestSignOff(t *testing.T) {
	aps := []Approval{
		{RevisionID: 7, Level: 1, LevelName: "初审", Reviewer: "张敏"},
		{RevisionID: 7, Level: 2, LevelName: "复审", Reviewer: "王强"},
		{RevisionID: 7, Level: 3, LevelName: "终审", Reviewer: "刘建国"},
		{RevisionID: 6, Level: 1, LevelName: "初审", Reviewer: "旧版本"},
		{RevisionID: 7, Level: 1, LevelName: "初审", Reviewer: "作废", Voided: true},
	}
	levels := []string{"初审", "复审", "终审"}
	if got, want := SignOff("李文", 7, levels, aps), "<p>编辑：李文　审核：张敏、王强　终审：刘建国</p>"; got != want {
		t.Errorf("SignOff = %q, want %q", got, want)
	}
	if got, want := SignOff("李文", 9, levels, aps), "<p>编辑：李文</p>"; got != want {
		t.Errorf("without approvals of the revision: %q, want %q", got, want)
	}
	if got := SignOff("", 9, nil, nil); got != "" {
		t.Errorf("nobody to name: %q", got)
	}
}
