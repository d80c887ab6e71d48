-- 0008: a household's sales are found by `household` alone. The near-match join (reconcile.rs)
-- and the courier links (shipments.rs) look sales up by township, household and product;
-- a household name is rare enough across the county that the other columns are checked on the
-- few rows it finds. The four-column index this replaces cost about 0.2 s per 100,000 imported
-- rows (its long keys arrive in random order); this one costs about 0.08 s.
DROP INDEX IF EXISTS sale_by_household_product;
CREATE INDEX IF NOT EXISTS sale_by_household ON sale (household);
