-- 0004: 百企帮百村 (R11, 四(三)): the registry of private enterprises paired with poor villages.
-- An enterprise is a purchaser (its purchases are the sale rows with its purchaser_id); the paired
-- village is a township code + village name, as on the sale rows. At most 100 pairings (the plan's
-- number), enforced by the store with a Chinese message.
CREATE TABLE enterprise_pairing (
    id            INTEGER PRIMARY KEY,
    purchaser_id  INTEGER NOT NULL REFERENCES purchaser(id),
    township_code TEXT NOT NULL REFERENCES township(code),
    village       TEXT NOT NULL CHECK (village <> ''),
    contact       TEXT NOT NULL DEFAULT '',      -- 联系人, optional
    phone         TEXT NOT NULL DEFAULT '',      -- 联系电话, optional
    paired_on     TEXT NOT NULL,                 -- 结对日期, ISO date
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (purchaser_id, township_code, village)
) STRICT;
-- A pairing's purchases are read through sale_by_purchaser (0001); no new index on sale, so
-- imports pay nothing for this registry.
