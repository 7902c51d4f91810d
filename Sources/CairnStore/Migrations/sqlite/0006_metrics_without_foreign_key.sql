-- PostgreSQL drops the metric history's foreign key to runs in its 0006 (see there). SQLite keeps
-- it: dropping a constraint there means rebuilding the table, for no measurable gain. This file
-- keeps the two engines' schema versions in step.
SELECT 1;
