-- A department's queue lists the open tickets it assists, by deadline. Read from `tickets`, that
-- walks every open ticket in deadline order and filters the assisting array, and a deadline
-- instant shared by many open tickets (every deadline is 23:59:59 of a day) must be read whole and
-- sorted by id before the page is known. This table holds one row per open ticket and department
-- assisting it, kept by a trigger in the same transaction as the ticket's change, so the queue's
-- assisting branch walks its index in the page's order (storage/ticket_work.cpp).
CREATE TABLE open_assists (
  department text        NOT NULL,
  ticket_id  bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  status     text        NOT NULL,
  deadline   timestamptz,
  PRIMARY KEY (ticket_id, department)
);
CREATE INDEX open_assists_queue ON open_assists (department, deadline, ticket_id);

-- The ticket's rows, made again from its current state: none once it is no longer open.
CREATE FUNCTION keep_open_assists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM open_assists WHERE ticket_id = NEW.id;
  IF NEW.status IN ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened') THEN
    INSERT INTO open_assists (department, ticket_id, status, deadline)
    SELECT DISTINCT d, NEW.id, NEW.status, NEW.deadline FROM unnest(NEW.assisting_departments) d;
  END IF;
  RETURN NULL;
END
$$;

-- Only tickets that are or were assisted fire it: the intake's inserts of new appeals do not.
CREATE TRIGGER tickets_open_assists_insert AFTER INSERT ON tickets FOR EACH ROW
  WHEN (cardinality(NEW.assisting_departments) > 0)
  EXECUTE FUNCTION keep_open_assists();
CREATE TRIGGER tickets_open_assists_update
  AFTER UPDATE OF assisting_departments, status, deadline ON tickets FOR EACH ROW
  WHEN (OLD.assisting_departments IS DISTINCT FROM NEW.assisting_departments
        OR (cardinality(NEW.assisting_departments) > 0
            AND (OLD.status IS DISTINCT FROM NEW.status
                 OR OLD.deadline IS DISTINCT FROM NEW.deadline)))
  EXECUTE FUNCTION keep_open_assists();

INSERT INTO open_assists (department, ticket_id, status, deadline)
SELECT DISTINCT d, t.id, t.status, t.deadline
FROM tickets t, unnest(t.assisting_departments) d
WHERE t.status IN ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened');
-- The queue's plans need the table's statistics from the start, not from autovacuum's next round.
ANALYZE open_assists;
