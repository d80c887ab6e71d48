-- 0007: when, and by which file, a record's content (the form's columns) was last written.
-- `updated_at` also moves when a record is paired, marked paid or its channel follows its
-- purchaser, so it cannot tell whether the content changed after a file was exported.
--
-- content_changed_at: local time of the last content write (insert, edit, import update).
-- content_changed_by: the 提交编号 of the file whose import wrote it last; NULL when it was
--                     written in the program (editor, demo).
--
-- An export of this ledger re-imported later does not overwrite a record whose content was
-- written after the export by anything but that same file (a correction typed in the program,
-- another file): the ledger keeps the newer content and the import says so.
--
-- Records written before this migration take `updated_at` and NULL: the safe side (a re-import
-- of an older export keeps them; a fresh export can be corrected as usual).
ALTER TABLE sale ADD COLUMN content_changed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sale ADD COLUMN content_changed_by TEXT;
UPDATE sale SET content_changed_at = updated_at;
ALTER TABLE listing ADD COLUMN content_changed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE listing ADD COLUMN content_changed_by TEXT;
UPDATE listing SET content_changed_at = updated_at;
