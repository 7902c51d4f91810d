-- A search filtered on a param or tag (`params.optimizer = 'adam'`) tests the key and the value of
-- one row. PostgreSQL keeps statistics per column, so it multiplied the key's share of the rows by
-- the value's share of all values; a value that only ever appears under its key came out ten
-- times too rare (86 rows estimated, 857 found, at 2,000 runs). With such an estimate, and
-- statistics taken while the experiment was small, the filtered and ordered search at 50,000
-- runs hashed every run holding the param instead of walking the ordered metric and stopping
-- after a page (see BENCHMARKS.md, "Scale"). These statistics keep the most common (key, value)
-- pairs themselves, so a pair's estimate is its own share. ANALYZE and autovacuum fill them from
-- their usual sample: creating them reads nothing, on a database of any size.
CREATE STATISTICS params_key_value_pairs (mcv) ON key, value FROM params;
CREATE STATISTICS run_tags_key_value_pairs (mcv) ON key, value FROM run_tags;
