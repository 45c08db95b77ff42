-- A policy document whose page holds only a picture (a 图解) or an attached
-- file has no text: no_text says which ('picture' or 'attachment'), and
-- attachments keeps the names of its files or pictures, one a line.
ALTER TABLE policies ADD COLUMN no_text TEXT NOT NULL DEFAULT '';
ALTER TABLE policies ADD COLUMN attachments TEXT NOT NULL DEFAULT '';
-- Other addresses the same document was read at (a second column listing
-- it), one a line: the document is known by them too.
ALTER TABLE policies ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
