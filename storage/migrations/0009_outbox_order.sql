-- The relay takes the oldest unsent rows in id order. With the index on (available_at, id) it
-- had to fetch and sort every unsent row to find the first batch, so each relay pass cost as much
-- as the backlog (140 ms a pass with 30,000 rows waiting during a 100,000-row 12328 file). Kept
-- in id order, a pass reads only the rows it takes; rows waiting for a retry are few and filtered.
DROP INDEX outbox_unsent;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
