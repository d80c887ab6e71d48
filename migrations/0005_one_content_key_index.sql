-- 0005: one index for a sale's content key, not two. `sale.fingerprint` is `form || char(31) ||
-- match_key`, so `sale_by_match_key (match_key, form)` already finds a row by its fingerprint;
-- keeping `sale_by_fingerprint` as well cost about 0.7 s per 100,000 imported rows. Lookups by
-- fingerprint now go through match_key (`substr(fingerprint, 3)`) and form; the column stays.
DROP INDEX sale_by_fingerprint;
