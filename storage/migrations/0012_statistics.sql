-- Statistics (docs/statistics.md, docs/decisions/0010-statistics-facts-refreshed-on-read.md):
-- per-ticket facts and dated activity rows derived from the event rows, a queue of tickets whose
-- facts must be derived again (filled by triggers in the same transactions as the events), and the
-- working-day calendar as a table so working time is counted in SQL on the calendar in force.

-- China local date of an instant (UTC+8, no daylight saving time).
CREATE FUNCTION stats_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ((t AT TIME ZONE 'UTC') + interval '8 hours')::date $$;
-- China midnight starting a local date, as an instant.
CREATE FUNCTION stats_midnight(d date) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (d::timestamp - interval '8 hours') AT TIME ZONE 'UTC' $$;

-- Working seconds from the calendar's first date to `t`, given n and working of t's local date
-- (stats_calendar): working time between two instants is the difference (docs/statistics.md).
CREATE FUNCTION stats_w(t timestamptz, n integer, working boolean) RETURNS bigint LANGUAGE sql
IMMUTABLE PARALLEL SAFE AS
$$ SELECT 86400::bigint * (n - working::int)
          + CASE WHEN working THEN extract(epoch FROM t - stats_midnight(stats_day(t)))::bigint
                 ELSE 0 END $$;

-- One row per date: whether it is a working day and how many working days there are up to and
-- including it (n), rewritten from core's calendar whenever the calendar changes (and the tickets
-- whose working times cross a changed date are derived again).
CREATE TABLE stats_calendar (
  day     date    PRIMARY KEY,
  working boolean NOT NULL,
  n       integer NOT NULL
);
CREATE INDEX stats_calendar_working_n ON stats_calendar (n) WHERE working;

CREATE TABLE stats_state (
  id               integer PRIMARY KEY CHECK (id = 1),
  calendar_version text    NOT NULL DEFAULT '',
  refreshed_at     timestamptz
);
INSERT INTO stats_state (id) VALUES (1);

-- Tickets whose facts are out of date. Rows are only ever inserted by the writers' transactions
-- (no unique key: a refresh deletes only the rows it can see, so a row committed later is never
-- lost) and deleted by the refresh.
CREATE TABLE stats_dirty (ticket_id bigint NOT NULL);

-- One row per ticket. Days are China local dates; instants are whole seconds. Dimensions compare
-- by bytes (COLLATE "C"): grouping by them is a large part of a summary's work.
CREATE TABLE stats_tickets (
  ticket_id      bigint      PRIMARY KEY,
  department     text COLLATE "C" NOT NULL,  -- the lead department now; '' before placement
  channel        text COLLATE "C" NOT NULL,
  kind           text COLLATE "C" NOT NULL,
  category       text COLLATE "C" NOT NULL,
  division       text COLLATE "C" NOT NULL,
  received_at    timestamptz NOT NULL,
  received_day   date        NOT NULL,
  is_ticket      boolean     NOT NULL,  -- not merged into another
  due_at         timestamptz,           -- the deadline in force, when the ticket counts as due
  due_day        date,
  on_time        boolean     NOT NULL DEFAULT false,
  open           boolean     NOT NULL,
  first_at       timestamptz,           -- first interim or final answer written
  first_day      date,
  final_at       timestamptz,           -- first final answer written
  final_day      date,
  -- Time from receipt to the first / final answer: working seconds on the calendar in force (see
  -- docs/statistics.md; derived again when the calendar changes) and calendar seconds.
  first_wsec     bigint,
  first_csec     bigint,
  final_wsec     bigint,
  final_csec     bigint,
  called_back    boolean     NOT NULL DEFAULT false,
  reopen_event   bigint,                -- the ticket_events row that reopened it (重办)
  reopened_at    timestamptz,
  reopened_day   date,
  reopen_due_at  timestamptz,
  reopen_due_day date,
  reopen_on_time boolean     NOT NULL DEFAULT false
);
CREATE INDEX stats_tickets_received ON stats_tickets (received_day);
CREATE INDEX stats_tickets_due ON stats_tickets (due_day) WHERE due_day IS NOT NULL;
CREATE INDEX stats_tickets_first ON stats_tickets (first_day) WHERE first_day IS NOT NULL;
CREATE INDEX stats_tickets_final ON stats_tickets (final_day) WHERE final_day IS NOT NULL;
CREATE INDEX stats_tickets_reopened ON stats_tickets (reopened_day) WHERE reopened_day IS NOT NULL;
CREATE INDEX stats_tickets_reopen_due ON stats_tickets (reopen_due_day)
  WHERE reopen_due_day IS NOT NULL;

-- Dated activity on a ticket: return, extension_asked, extension_approved, rating (flag:
-- satisfied), resolution (flag: resolved), delivery_failure. With the ticket's dimensions.
CREATE TABLE stats_events (
  ticket_id  bigint      NOT NULL,
  type       text        NOT NULL,
  at         timestamptz NOT NULL,
  day        date        NOT NULL,
  flag       boolean     NOT NULL DEFAULT false,
  department text COLLATE "C" NOT NULL,
  channel    text COLLATE "C" NOT NULL,
  kind       text COLLATE "C" NOT NULL,
  category   text COLLATE "C" NOT NULL,
  division   text COLLATE "C" NOT NULL
);
CREATE INDEX stats_events_day ON stats_events (day);
CREATE INDEX stats_events_ticket ON stats_events (ticket_id);

-- The queue is filled in the writers' own transactions.
CREATE FUNCTION stats_mark_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_dirty SELECT DISTINCT ticket_id FROM new_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER stats_events_dirty AFTER INSERT ON ticket_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_events();

CREATE FUNCTION stats_mark_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_dirty SELECT id FROM new_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER stats_tickets_dirty AFTER INSERT ON tickets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_tickets();

CREATE FUNCTION stats_mark_ticket_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_dirty VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE FUNCTION stats_mark_reply_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_dirty VALUES (NEW.ticket_id);
  RETURN NULL;
END $$;
CREATE TRIGGER stats_ticket_changed AFTER UPDATE ON tickets FOR EACH ROW
  WHEN ((OLD.status, OLD.deadline, OLD.lead_department, OLD.merged_into, OLD.kind, OLD.category,
         OLD.division, OLD.received_at)
        IS DISTINCT FROM
        (NEW.status, NEW.deadline, NEW.lead_department, NEW.merged_into, NEW.kind, NEW.category,
         NEW.division, NEW.received_at))
  EXECUTE FUNCTION stats_mark_ticket_row();
CREATE TRIGGER stats_reply_failed AFTER UPDATE ON reply_ledger FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state AND (OLD.state = 'failed' OR NEW.state = 'failed'))
  EXECUTE FUNCTION stats_mark_reply_row();
CREATE TRIGGER stats_reply_failed_insert AFTER INSERT ON reply_ledger FOR EACH ROW
  WHEN (NEW.state = 'failed') EXECUTE FUNCTION stats_mark_reply_row();

-- Tickets already in the store are derived on the first refresh.
INSERT INTO stats_dirty SELECT id FROM tickets;
