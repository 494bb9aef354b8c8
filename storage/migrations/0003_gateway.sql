-- People and their work: accounts, sessions and API tokens, and the state of the work on a
-- ticket (claims, answers, returns, extensions, supervision, callbacks). Every action is also a
-- ticket_events row written in the same transaction.

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text        NOT NULL UNIQUE,
  display_name  text        NOT NULL DEFAULT '',
  password_hash text        NOT NULL,  -- pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>
  roles         text[]      NOT NULL,  -- operator, staff, manager, admin
  departments   text[]      NOT NULL DEFAULT '{}',  -- for staff: the departments they answer for
  active        boolean     NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['operator', 'staff', 'manager', 'admin']
                                      AND cardinality(roles) > 0)
);

-- Browser sessions and program tokens: only the SHA-256 of the secret is stored.
CREATE TABLE sessions (
  token_hash   text        PRIMARY KEY,
  user_id      bigint      NOT NULL REFERENCES users (id),
  csrf_token   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  remote       text        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
  token_hash text        PRIMARY KEY,
  user_id    bigint      NOT NULL REFERENCES users (id),
  name       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz
);

-- Failed logins, per user name and per address, for throttling across every gateway.
CREATE TABLE login_failures (
  id       bigserial PRIMARY KEY,
  username text        NOT NULL,
  remote   text        NOT NULL,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_remote ON login_failures (remote, at);

ALTER TABLE tickets
  ADD COLUMN claimed_by        text,
  ADD COLUMN assigned_at       timestamptz,
  ADD COLUMN first_answer_at   timestamptz,
  ADD COLUMN answered_at       timestamptz,
  ADD COLUMN supervised        boolean NOT NULL DEFAULT false,
  ADD COLUMN supervision_note  text;

-- The queue page: a department's open tickets by deadline.
CREATE INDEX tickets_department_open ON tickets (lead_department, deadline NULLS LAST, id)
  WHERE status IN ('triage', 'assigned', 'in_progress', 'returned', 'reopened');

-- Answers written by departments; each becomes one reply.requested per channel to answer.
CREATE TABLE answers (
  id          bigserial PRIMARY KEY,
  ticket_id   bigint      NOT NULL REFERENCES tickets (id),
  type        text        NOT NULL CHECK (type IN ('final_answer', 'interim')),
  content     text        NOT NULL,
  department  text        NOT NULL,
  author      text        NOT NULL,
  publish     boolean     NOT NULL DEFAULT false,
  reply_to    text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answers_ticket ON answers (ticket_id, id);

-- Requests that need a decision: a return (退单) reviewed by the dispatch desk or a manager, an
-- extension (延期) approved by a manager. At most one pending request of a kind per ticket.
CREATE TABLE ticket_requests (
  id           bigserial PRIMARY KEY,
  ticket_id    bigint      NOT NULL REFERENCES tickets (id),
  kind         text        NOT NULL CHECK (kind IN ('return', 'extension')),
  department   text        NOT NULL,
  requested_by text        NOT NULL,
  reason       text        NOT NULL,
  days         integer,
  requested_at timestamptz NOT NULL DEFAULT now(),
  state        text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'refused')),
  decided_by   text,
  decided_at   timestamptz,
  decision_note text
);
CREATE UNIQUE INDEX ticket_requests_one_pending ON ticket_requests (ticket_id, kind)
  WHERE state = 'pending';
CREATE INDEX ticket_requests_pending ON ticket_requests (kind, requested_at) WHERE state = 'pending';

-- Callbacks (回访) recorded by operators.
CREATE TABLE callbacks (
  id           bigserial PRIMARY KEY,
  ticket_id    bigint      NOT NULL REFERENCES tickets (id),
  operator     text        NOT NULL,
  reached      boolean     NOT NULL,
  satisfaction text CHECK (satisfaction IN ('satisfied', 'mostly_satisfied', 'not_satisfied')),
  resolved     boolean,
  note         text        NOT NULL DEFAULT '',
  called_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callbacks_ticket ON callbacks (ticket_id, id);
