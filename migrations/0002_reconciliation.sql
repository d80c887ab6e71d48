-- 0002: reconciliation of the three sources (issue 4, 三(三)).
-- Operator decisions on near matches between a 附件3 procurement and a 附件2 sale, keyed by the two
-- rows' content fingerprints (sale.fingerprint), not by ids: a decision survives deleting and
-- re-importing the same rows. 'same' = confirmed the same sale (counted once), 'different' =
-- rejected (never proposed again).
CREATE TABLE pairing_decision (
    procurement_fingerprint TEXT NOT NULL,
    sale_fingerprint        TEXT NOT NULL,
    decision                TEXT NOT NULL CHECK (decision IN ('same', 'different')),
    decided_at              TEXT NOT NULL,
    PRIMARY KEY (procurement_fingerprint, sale_fingerprint)
) STRICT;

-- Extra names under which a lead unit (牵头单位) reports, e.g. `云阳县教育系统消费扶贫牵头办公室` for
-- 县教委: the 填报单位 text of an imported 附件3, or a purchaser name. Normalised text (no spaces,
-- without the 重庆市/云阳县 prefix).
CREATE TABLE lead_unit_alias (
    alias        TEXT PRIMARY KEY,
    lead_unit_id INTEGER NOT NULL REFERENCES lead_unit(id) ON DELETE CASCADE
) STRICT;

-- Near-match search: candidates share township, household and product.
CREATE INDEX sale_by_household_product ON sale (township_code, household, product, form);
