-- Routing: where a ticket was placed and why, its deadline and how it was computed, duplicates,
-- and the documents (departments, rules, calendar) that routing is configured with.

ALTER TABLE tickets
  ADD COLUMN lead_department       text,
  ADD COLUMN assisting_departments text[] NOT NULL DEFAULT '{}',
  ADD COLUMN routing_rule          text,
  ADD COLUMN routing_reason        text,
  ADD COLUMN deadline_basis        jsonb,
  ADD COLUMN merged_into           bigint REFERENCES tickets (id);

CREATE INDEX tickets_plate ON tickets (plate) WHERE plate <> '';
CREATE INDEX tickets_queue ON tickets (lead_department, deadline);
CREATE INDEX tickets_assisting ON tickets USING gin (assisting_departments);
CREATE INDEX tickets_open_deadline ON tickets (deadline)
  WHERE status IN ('received', 'triage', 'assigned', 'in_progress', 'returned', 'reopened');

-- A repeated appeal linked to the open ticket it repeats: merged (it follows that ticket) or only
-- suggested to operators. Undoing a merge sets undone_at; the row stays as history.
CREATE TABLE duplicate_links (
  ticket_id    bigint      NOT NULL REFERENCES tickets (id),
  duplicate_of bigint      NOT NULL REFERENCES tickets (id),
  action       text        NOT NULL CHECK (action IN ('merged', 'suggested')),
  score        real        NOT NULL,
  reason       text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  undone_at    timestamptz,
  undone_by    text,
  PRIMARY KEY (ticket_id, duplicate_of)
);
CREATE INDEX duplicate_links_primary ON duplicate_links (duplicate_of);

-- Messages to a department's own system are published without the mandatory flag: when no
-- queue is bound to dept.<code>, the message is dropped by design (the database has the ticket).
ALTER TABLE outbox ADD COLUMN mandatory boolean NOT NULL DEFAULT true;

-- Versioned configuration documents shared by every process: 'departments', 'routing_rules',
-- 'calendar_days'. The highest version is current; routers reload when it changes.
CREATE TABLE settings_documents (
  name       text        NOT NULL,
  version    integer     NOT NULL,
  body       jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text        NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE FUNCTION settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('appealhub_settings', NEW.name);
  RETURN NULL;
END $$;
CREATE TRIGGER settings_changed AFTER INSERT ON settings_documents
  FOR EACH ROW EXECUTE FUNCTION settings_notify();
