-- The spine: tickets, their append-only event history, what each consumer has processed,
-- the transactional outbox, events waiting for their appeal, and channel positions.

CREATE TABLE tickets (
  id               bigserial PRIMARY KEY,
  channel          text        NOT NULL,
  external_id      text        NOT NULL,
  status           text        NOT NULL DEFAULT 'received',
  kind             text        NOT NULL,
  category         text        NOT NULL,
  division         text        NOT NULL DEFAULT '',
  urgency          text        NOT NULL,
  title            text        NOT NULL,
  citizen_phone    text        NOT NULL DEFAULT '',
  plate            text        NOT NULL DEFAULT '',
  received_at      timestamptz NOT NULL,
  channel_deadline timestamptz,
  deadline         timestamptz,
  appeal           jsonb       NOT NULL,  -- the normalized appeal.v1 object as taken in
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tickets_channel_external_id UNIQUE (channel, external_id)
);
CREATE INDEX tickets_status ON tickets (status);
CREATE INDEX tickets_received_at ON tickets (received_at);
CREATE INDEX tickets_citizen_phone ON tickets (citizen_phone) WHERE citizen_phone <> '';

-- Everything that happened to a ticket, with who, when and why. Rows are never changed.
CREATE TABLE ticket_events (
  id          bigserial PRIMARY KEY,
  ticket_id   bigint      NOT NULL REFERENCES tickets (id),
  event_id    text        NOT NULL,
  type        text        NOT NULL,
  actor       text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  data        jsonb       NOT NULL DEFAULT '{}',
  CONSTRAINT ticket_events_event_id UNIQUE (event_id)
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ticket_events is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();

-- A message id a consumer has applied; written in the same transaction as the effect.
CREATE TABLE processed_messages (
  consumer     text        NOT NULL,
  message_id   text        NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);

-- Events about an appeal the hub does not have yet (files and pages arrive out of order);
-- applied, then deleted, in the transaction that creates the ticket.
CREATE TABLE parked_events (
  channel     text        NOT NULL,
  external_id text        NOT NULL,
  event_id    text        NOT NULL PRIMARY KEY,
  type        text        NOT NULL,
  occurred_at timestamptz NOT NULL,
  data        jsonb       NOT NULL,
  parked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_events_appeal ON parked_events (channel, external_id);

-- What the database decided to publish, written in the same transaction as the decision.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  message_id   text        NOT NULL UNIQUE,
  exchange     text        NOT NULL,
  routing_key  text        NOT NULL,
  type         text        NOT NULL,
  body         bytea       NOT NULL,  -- bytes as published (a dead letter keeps the original's)
  headers      jsonb       NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text,
  sent_at      timestamptz
);
CREATE INDEX outbox_unsent ON outbox (available_at, id) WHERE sent_at IS NULL;

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('appealhub_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_wake_relay AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- A channel adapter's position (cursor, page token, file sequence), stored only once what
-- precedes it is durably in the hub.
CREATE TABLE channel_cursors (
  channel    text        NOT NULL,
  name       text        NOT NULL,
  value      text        NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, name)
);

-- Messages a consumer refused (invalid, or failing after every retry), with why. They are also
-- dead-lettered to appeals.dead through the outbox; this table is the record that survives.
CREATE TABLE rejected_messages (
  message_key text        PRIMARY KEY,  -- the message id, or sha256 of the body when there is none
  consumer    text        NOT NULL,
  routing_key text        NOT NULL,
  error       text        NOT NULL,
  body        bytea       NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);
