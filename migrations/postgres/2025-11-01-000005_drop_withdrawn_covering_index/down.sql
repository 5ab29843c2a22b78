-- Nothing to restore: the index this migration drops must not come back (see up.sql).
SELECT 1;
