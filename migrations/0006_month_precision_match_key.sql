-- 0006: a month-only date is not the 1st of the month in the content key. Until now `match_key`
-- wrote every date as YYYY-MM-DD, so a row dated `2019.10` (date_precision 'month', stored as
-- 2019-10-01) had the key of a row dated `2019.10.1`: the two were paired as the same sale and a
-- later exact-day row was dropped as a duplicate. The key now writes a month-only date as
-- YYYY-MM. This rewrites the stored keys of month rows, the fingerprints that point at them
-- (`fingerprint` = form || char(31) || match_key; operator decisions in `pairing_decision`, hand
-- links in `shipment.sale_fingerprint`), and undoes automatic pairs whose two keys now differ.
-- (After this file the program pairs the freed rows again by the exact rule, in Rust.)
--
-- A key is township, village, household, product, date, quantity, amount joined by char(31); the
-- date is the 5th field. Only keys with exactly these 7 fields and a date field YYYY-MM-01 are
-- touched.

-- Old key → the same key with the date written YYYY-MM, for every key this file may rewrite:
-- the month rows' keys and the keys inside stored fingerprints.
CREATE TEMP TABLE m6_key (key TEXT PRIMARY KEY, month_key TEXT NOT NULL);
WITH keys (key) AS (
    SELECT match_key FROM sale WHERE date_precision = 'month'
    UNION SELECT substr(procurement_fingerprint, 3) FROM pairing_decision
    UNION SELECT substr(sale_fingerprint, 3) FROM pairing_decision
    UNION SELECT substr(sale_fingerprint, 3) FROM shipment WHERE sale_fingerprint IS NOT NULL
),
seven (key) AS (
    SELECT key FROM keys WHERE length(key) - length(replace(key, char(31), '')) = 6
),
s1 AS (SELECT key, instr(key, char(31)) AS p1 FROM seven),
s2 AS (SELECT key, p1 + instr(substr(key, p1 + 1), char(31)) AS p2 FROM s1),
s3 AS (SELECT key, p2 + instr(substr(key, p2 + 1), char(31)) AS p3 FROM s2),
s4 AS (SELECT key, p3 + instr(substr(key, p3 + 1), char(31)) AS p4 FROM s3),
s5 AS (SELECT key, p4, p4 + instr(substr(key, p4 + 1), char(31)) AS p5 FROM s4)
INSERT INTO m6_key (key, month_key)
SELECT key, substr(key, 1, p4) || substr(key, p4 + 1, 7) || substr(key, p5)
FROM s5
WHERE p5 - p4 - 1 = 10
  AND substr(key, p4 + 1, 10) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-01';

-- The month rows to rewrite, with their old and new fingerprints.
CREATE TEMP TABLE m6_sale (
    id INTEGER PRIMARY KEY,
    old_fp TEXT NOT NULL,
    new_key TEXT NOT NULL,
    new_fp TEXT NOT NULL
);
INSERT INTO m6_sale (id, old_fp, new_key, new_fp)
SELECT s.id, s.fingerprint, k.month_key, s.form || char(31) || k.month_key
FROM sale s JOIN m6_key k ON k.key = s.match_key
WHERE s.date_precision = 'month';
CREATE INDEX temp.m6_sale_by_old_fp ON m6_sale (old_fp);

-- Decisions. A fingerprint F in a decision stood for every row with that content, month-only or
-- dated the 1st. It now stands for F (the day rows) and/or F with the month date: the month form
-- when a month row holds F, F itself when a day row holds it, both when rows of both kinds hold
-- it or when none does (the rows were deleted and may come back either way): the decision keeps
-- applying to every row it applied to before.
CREATE TEMP TABLE m6_fp (old_fp TEXT NOT NULL, new_fp TEXT NOT NULL, PRIMARY KEY (old_fp, new_fp));
WITH fps (fp) AS (
    SELECT procurement_fingerprint FROM pairing_decision
    UNION SELECT sale_fingerprint FROM pairing_decision
),
held AS (
    SELECT fps.fp,
           substr(fps.fp, 1, 2) || k.month_key AS month_fp,
           EXISTS (SELECT 1 FROM m6_sale m WHERE m.old_fp = fps.fp) AS by_month,
           EXISTS (SELECT 1 FROM sale s
                   WHERE s.match_key = substr(fps.fp, 3) AND s.form = CAST(substr(fps.fp, 1, 1) AS INTEGER)
                     AND s.fingerprint = fps.fp AND s.date_precision = 'day') AS by_day
    FROM fps JOIN m6_key k ON k.key = substr(fps.fp, 3)
)
INSERT INTO m6_fp (old_fp, new_fp)
SELECT fp, fp FROM held WHERE by_day OR NOT by_month
UNION
SELECT fp, month_fp FROM held WHERE by_month OR NOT by_day;

-- Every decision with a side in m6_fp becomes one decision per combination of its sides' new
-- fingerprints. Distinct old decisions never give the same new pair (the month form of a key
-- is that key's alone, and no stored key had a month date before this file).
CREATE TEMP TABLE m6_decision AS
SELECT DISTINCT COALESCE(pm.new_fp, d.procurement_fingerprint) AS procurement_fingerprint,
                COALESCE(sm.new_fp, d.sale_fingerprint) AS sale_fingerprint,
                d.decision, d.decided_at
FROM pairing_decision d
LEFT JOIN m6_fp pm ON pm.old_fp = d.procurement_fingerprint
LEFT JOIN m6_fp sm ON sm.old_fp = d.sale_fingerprint
WHERE pm.old_fp IS NOT NULL OR sm.old_fp IS NOT NULL;
DELETE FROM pairing_decision
WHERE procurement_fingerprint IN (SELECT old_fp FROM m6_fp)
   OR sale_fingerprint IN (SELECT old_fp FROM m6_fp);
INSERT INTO pairing_decision (procurement_fingerprint, sale_fingerprint, decision, decided_at)
SELECT procurement_fingerprint, sale_fingerprint, decision, decided_at FROM m6_decision;

-- Hand links. A shipment's remembered fingerprint names the sale it is linked to, or (once that
-- sale was deleted) the row re-attaching would pick: the lowest id with that fingerprint. When
-- that row is a month row, the link follows its new fingerprint. A fingerprint no row holds any
-- more is left as it was.
UPDATE shipment
SET sale_fingerprint = (
    SELECT m.new_fp FROM m6_sale m
    WHERE m.id = COALESCE(
        (SELECT s.id FROM sale s WHERE s.id = shipment.sale_id AND s.fingerprint = shipment.sale_fingerprint),
        (SELECT MIN(s.id) FROM sale s
         WHERE s.match_key = substr(shipment.sale_fingerprint, 3) AND s.fingerprint = shipment.sale_fingerprint)))
WHERE sale_fingerprint IN (SELECT old_fp FROM m6_sale)
  AND EXISTS (
    SELECT 1 FROM m6_sale m
    WHERE m.id = COALESCE(
        (SELECT s.id FROM sale s WHERE s.id = shipment.sale_id AND s.fingerprint = shipment.sale_fingerprint),
        (SELECT MIN(s.id) FROM sale s
         WHERE s.match_key = substr(shipment.sale_fingerprint, 3) AND s.fingerprint = shipment.sale_fingerprint)));

-- The month rows' keys. (The sale_summary update triggers remove and add each row's amount
-- again: the figures do not change.)
UPDATE sale SET match_key = m.new_key, fingerprint = m.new_fp
FROM m6_sale m WHERE m.id = sale.id;

-- Automatic pairs (not decided by the operator) are exact pairs: undo those whose two keys now
-- differ. The 附件3 row counts again (sale_summary_update_add).
UPDATE sale SET same_sale_as = NULL, updated_at = strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')
WHERE form = 3 AND pairing_decided = 0 AND same_sale_as IS NOT NULL
  AND match_key <> (SELECT s.match_key FROM sale s WHERE s.id = sale.same_sale_as);

DROP TABLE m6_decision;
DROP TABLE m6_fp;
DROP TABLE m6_sale;
DROP TABLE m6_key;
