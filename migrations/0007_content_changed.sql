-- 0007: what re-importing an export of this ledger may change.
--
-- content_changed_at / content_changed_by (sale, listing): when the form's columns were last
-- rewritten, and by which file's import (its 提交编号; NULL = in the program: editor, demo).
-- '' = not rewritten since the record was created: `created_at` and `submission_id` tell (a new
-- row does not repeat them, which keeps a 100,000-row import's rows short).
-- `updated_at` also moves when a record is paired, marked paid or its channel follows its
-- purchaser, so it cannot tell. An export re-imported later does not overwrite a record whose
-- content was written after the export by anything but that same file.
--
-- exported_record: per export, each record's content as exported (a hash of the same text the
-- import compares, `content_hash`). A row that comes back as it was exported changes nothing,
-- even when the ledger's record changed since: two townships each correcting their own rows of
-- one county-wide export do not undo each other's corrections.
--
-- sale_former_key / listing_former_fingerprint: the content keys a record had before it was
-- corrected. A township's original file imported again after its records were corrected is
-- recognised (those rows are the corrected records) instead of being added a second time.
--
-- Records written before this migration and changed since they were created take `updated_at`
-- and NULL: the safe side.
ALTER TABLE sale ADD COLUMN content_changed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sale ADD COLUMN content_changed_by TEXT;
UPDATE sale SET content_changed_at = updated_at WHERE updated_at <> created_at;
ALTER TABLE listing ADD COLUMN content_changed_at TEXT NOT NULL DEFAULT '';
ALTER TABLE listing ADD COLUMN content_changed_by TEXT;
UPDATE listing SET content_changed_at = updated_at WHERE updated_at <> created_at;

CREATE TABLE exported_record (
    submission_id TEXT NOT NULL,
    record_id     INTEGER NOT NULL,
    content_hash  INTEGER NOT NULL,
    PRIMARY KEY (submission_id, record_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sale_former_key (
    sale_id   INTEGER NOT NULL REFERENCES sale(id) ON DELETE CASCADE,
    form      INTEGER NOT NULL,
    match_key TEXT NOT NULL,
    PRIMARY KEY (match_key, form, sale_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX sale_former_key_by_sale ON sale_former_key (sale_id);

CREATE TABLE listing_former_fingerprint (
    listing_id  INTEGER NOT NULL REFERENCES listing(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (fingerprint, listing_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX listing_former_fingerprint_by_listing ON listing_former_fingerprint (listing_id);
