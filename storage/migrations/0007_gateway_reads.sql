-- The gateway's reads at a million tickets (bench/gateway_bench).

-- A ticket's detail lists the replies of the appeals merged into it (ticket_replies) and
-- merged_appeals looks them up; without an index each detail view planned a parallel scan of
-- every ticket, and that plan's cost (over jit_above_cost from ~850,000 tickets) made PostgreSQL
-- JIT-compile it on every view. Few tickets are merged: a partial index stays small.
CREATE INDEX tickets_merged_into ON tickets (merged_into) WHERE merged_into IS NOT NULL;

-- The queue page asks this index for the tickets a department assists. With fastupdate, new
-- entries wait in a pending list of up to 4 MB that every search reads in full (~3 ms a page
-- after a bulk load, until a vacuum); inserting straight into the index costs the writer a little
-- more instead (one or two short keys a ticket).
ALTER INDEX tickets_assisting SET (fastupdate = off);
SELECT gin_clean_pending_list('tickets_assisting'::regclass);
