-- 0001: the initial schema. Money is INTEGER fen (分); dates are ISO 'YYYY-MM-DD' text.
-- Every table is STRICT. A record keeps the text the clerk typed beside the parsed value.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- 乡镇(街道): seeded from assets/townships.csv. The code is the key (names collide across counties).
CREATE TABLE township (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,                  -- 街道 / 镇 / 乡
    deep_poverty INTEGER NOT NULL DEFAULT 0 CHECK (deep_poverty IN (0, 1)),
    aliases      TEXT NOT NULL DEFAULT '',       -- '|'-separated
    sort_order   INTEGER NOT NULL DEFAULT 0
) STRICT;

-- 村(社区): added by the operator or met in records.
CREATE TABLE village (
    id            INTEGER PRIMARY KEY,
    township_code TEXT NOT NULL REFERENCES township(code),
    name          TEXT NOT NULL,
    deep_poverty  INTEGER NOT NULL DEFAULT 0 CHECK (deep_poverty IN (0, 1)),
    UNIQUE (township_code, name)
) STRICT;

-- 采购单位 and its type, which decides the channel of its purchases.
CREATE TABLE purchaser (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    purchaser_type TEXT,                          -- PurchaserType name, NULL = not yet typed
    confirmed      INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    member_count   INTEGER                        -- unions (工会): members, for the 500元 standard
) STRICT;

-- 牵头单位 named in the plan, with the channel each leads.
CREATE TABLE lead_unit (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    channel     TEXT NOT NULL,
    sub_channel TEXT NOT NULL DEFAULT ''
) STRICT;

-- 目标任务 per year, in fen. item: 'total', 'deep_poverty', or a channel name.
CREATE TABLE target (
    year       INTEGER NOT NULL,
    item       TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (year, item)
) STRICT;

-- A batch of records exchanged as a file: an export (ids written into the file) or an import.
CREATE TABLE submission (
    id          TEXT PRIMARY KEY,
    form        INTEGER NOT NULL CHECK (form IN (1, 2, 3)),
    direction   TEXT NOT NULL CHECK (direction IN ('export', 'import')),
    unit        TEXT NOT NULL DEFAULT '',
    file_name   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
) STRICT;

-- 附件1 待销目录条目.
CREATE TABLE listing (
    id                    INTEGER PRIMARY KEY,
    township_code         TEXT NOT NULL REFERENCES township(code),
    village               TEXT NOT NULL DEFAULT '',
    region_text           TEXT NOT NULL,
    household             TEXT NOT NULL,
    product               TEXT NOT NULL,
    planned_quantity_text TEXT NOT NULL,
    planned_quantity      TEXT NOT NULL,          -- decimal text
    planned_unit          TEXT,
    price_text            TEXT NOT NULL,
    price_yuan            TEXT,                   -- decimal text per unit; NULL = 面议
    price_unit            TEXT,
    supply_methods        TEXT NOT NULL DEFAULT '',  -- '、'-joined
    shop_url              TEXT NOT NULL DEFAULT '',
    contact               TEXT NOT NULL DEFAULT '',
    remark                TEXT NOT NULL DEFAULT '',
    households_involved   INTEGER,
    persons_involved      INTEGER,
    warnings              TEXT NOT NULL DEFAULT '',  -- newline-separated Chinese warnings
    submission_id         TEXT REFERENCES submission(id),
    fingerprint           TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
) STRICT;
CREATE INDEX listing_by_township ON listing (township_code, id);
CREATE INDEX listing_by_household_product ON listing (township_code, household, product);
CREATE INDEX listing_by_fingerprint ON listing (fingerprint);

-- 附件2 sales (form 2) and 附件3 procurements (form 3): the same columns, one table, so the
-- dashboard, matching and export treat them alike.
CREATE TABLE sale (
    id                  INTEGER PRIMARY KEY,
    form                INTEGER NOT NULL CHECK (form IN (2, 3)),
    purchaser_id        INTEGER NOT NULL REFERENCES purchaser(id),
    date                TEXT NOT NULL,            -- ISO date
    date_text           TEXT NOT NULL,
    date_precision      TEXT NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month')),
    year                INTEGER NOT NULL,
    month               INTEGER NOT NULL,
    region_text         TEXT NOT NULL,
    township_code       TEXT NOT NULL REFERENCES township(code),
    village             TEXT NOT NULL DEFAULT '',
    household           TEXT NOT NULL,
    product             TEXT NOT NULL,
    quantity_text       TEXT NOT NULL,
    quantity            TEXT NOT NULL,            -- decimal text
    quantity_unit       TEXT,
    quantity_jin        TEXT,                     -- decimal text; NULL for counts
    amount_fen          INTEGER NOT NULL CHECK (amount_fen >= 0),
    amount_text         TEXT NOT NULL,
    remark              TEXT NOT NULL DEFAULT '',
    households_involved INTEGER,
    persons_involved    INTEGER,
    channel             TEXT NOT NULL DEFAULT '', -- resolved channel name; '' = purchaser not typed
    sub_channel         TEXT NOT NULL DEFAULT '',
    channel_overridden  INTEGER NOT NULL DEFAULT 0 CHECK (channel_overridden IN (0, 1)),
    same_sale_as        INTEGER REFERENCES sale(id) ON DELETE SET NULL, -- a 附件3 row that is a 附件2 sale: counted once
    pairing_decided     INTEGER NOT NULL DEFAULT 0 CHECK (pairing_decided IN (0, 1)), -- the operator set or cleared same_sale_as
    warnings            TEXT NOT NULL DEFAULT '',
    submission_id       TEXT REFERENCES submission(id),
    fingerprint         TEXT NOT NULL,
    match_key           TEXT NOT NULL,            -- fingerprint without the form: equal keys across 附件2/附件3 = the same sale
    paid                INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
    paid_date           TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
-- Covering (amount_fen) so a list's count and total never read the rows.
CREATE INDEX sale_by_form_date ON sale (form, date, id, amount_fen);
CREATE INDEX sale_by_form_township_date ON sale (form, township_code, date, id, amount_fen);
CREATE INDEX sale_by_purchaser ON sale (purchaser_id);
CREATE INDEX sale_by_fingerprint ON sale (fingerprint);
CREATE INDEX sale_by_match_key ON sale (match_key, form);
CREATE INDEX sale_by_same_sale_as ON sale (same_sale_as) WHERE same_sale_as IS NOT NULL;

-- Counted amounts per month × township × village × channel, kept by triggers in the same
-- transaction as the records, so the dashboard never scans the sale table.
-- A row whose same_sale_as is set is not counted (it is the other side of a counted sale).
CREATE TABLE sale_summary (
    form          INTEGER NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    township_code TEXT NOT NULL,
    village       TEXT NOT NULL,
    channel       TEXT NOT NULL,
    sub_channel   TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL,
    record_count  INTEGER NOT NULL,
    -- year first: every dashboard query is for one year.
    PRIMARY KEY (year, month, form, township_code, village, channel, sub_channel)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER sale_summary_insert AFTER INSERT ON sale WHEN NEW.same_sale_as IS NULL
BEGIN
    INSERT INTO sale_summary (form, year, month, township_code, village, channel, sub_channel, amount_fen, record_count)
    VALUES (NEW.form, NEW.year, NEW.month, NEW.township_code, NEW.village, NEW.channel, NEW.sub_channel, NEW.amount_fen, 1)
    ON CONFLICT DO UPDATE SET amount_fen = amount_fen + excluded.amount_fen,
                              record_count = record_count + 1;
END;

CREATE TRIGGER sale_summary_delete AFTER DELETE ON sale WHEN OLD.same_sale_as IS NULL
BEGIN
    UPDATE sale_summary SET amount_fen = amount_fen - OLD.amount_fen, record_count = record_count - 1
    WHERE year = OLD.year AND month = OLD.month AND form = OLD.form
      AND township_code = OLD.township_code AND village = OLD.village
      AND channel = OLD.channel AND sub_channel = OLD.sub_channel;
END;

CREATE TRIGGER sale_summary_update_remove AFTER UPDATE ON sale WHEN OLD.same_sale_as IS NULL
BEGIN
    UPDATE sale_summary SET amount_fen = amount_fen - OLD.amount_fen, record_count = record_count - 1
    WHERE year = OLD.year AND month = OLD.month AND form = OLD.form
      AND township_code = OLD.township_code AND village = OLD.village
      AND channel = OLD.channel AND sub_channel = OLD.sub_channel;
END;

CREATE TRIGGER sale_summary_update_add AFTER UPDATE ON sale WHEN NEW.same_sale_as IS NULL
BEGIN
    INSERT INTO sale_summary (form, year, month, township_code, village, channel, sub_channel, amount_fen, record_count)
    VALUES (NEW.form, NEW.year, NEW.month, NEW.township_code, NEW.village, NEW.channel, NEW.sub_channel, NEW.amount_fen, 1)
    ON CONFLICT DO UPDATE SET amount_fen = amount_fen + excluded.amount_fen,
                              record_count = record_count + 1;
END;
