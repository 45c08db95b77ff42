-- Which figures the platform answered for each account and day (bits of
-- channels.Figures: 1 followers, 2 new/lost followers, 4 posts, 8 reads,
-- shares, likes, 在看 and comments), including those it answered with
-- nothing. A day is complete when every figure its platform gives is
-- answered; a resumed collection fills what is missing.
ALTER TABLE daily_stats ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;

-- Up to now getbizsummary's figures were read beside ref_date instead of
-- under its "detail": a day whose five article figures are all 0 holds
-- zeros the platform never sent. Empty them and leave the day incomplete,
-- so the next collection (resume is the default) asks for them again.
UPDATE daily_stats SET reads = NULL, shares = NULL, likes = NULL, zaikan = NULL, comments = NULL
WHERE reads = 0 AND shares = 0 AND likes = 0 AND zaikan = 0 AND comments = 0;

UPDATE daily_stats SET answered =
      (CASE WHEN followers IS NOT NULL THEN 1 ELSE 0 END)
    | (CASE WHEN new_followers IS NOT NULL OR lost_followers IS NOT NULL THEN 2 ELSE 0 END)
    | (CASE WHEN posts IS NOT NULL THEN 4 ELSE 0 END)
    | (CASE WHEN reads IS NOT NULL THEN 8 ELSE 0 END);
