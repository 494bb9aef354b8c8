-- The delivery ledger: every reply the hub must carry to a channel, its state, and every attempt
-- with what the channel answered. Nothing is lost (a reply is a row before its message is acked),
-- doubled (the reply_id is the channel's idempotency key on every attempt) or hidden (a final
-- failure stays a row that managers list and can send again).

CREATE TABLE reply_ledger (
  reply_id         text        PRIMARY KEY,
  ticket_id        bigint      NOT NULL,
  channel          text        NOT NULL,
  external_id      text        NOT NULL,
  type             text        NOT NULL,
  request          jsonb       NOT NULL,  -- the reply.requested event as received
  state            text        NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'sending', 'delivered', 'retrying', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  budget_from      integer     NOT NULL DEFAULT 0,  -- attempts before the last resend: not counted
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  sending_since    timestamptz,           -- the lease of the sender holding it ('sending')
  last_error       text        NOT NULL DEFAULT '',
  channel_reply_id text        NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  failed_at        timestamptz
);
-- What a sender claims: due rows of its channel, and 'sending' rows whose holder died.
CREATE INDEX reply_ledger_due ON reply_ledger (channel, next_attempt_at)
  WHERE state IN ('queued', 'retrying', 'sending');
CREATE INDEX reply_ledger_ticket ON reply_ledger (ticket_id, created_at);
CREATE INDEX reply_ledger_failed ON reply_ledger (failed_at) WHERE state = 'failed';

-- One row per delivery attempt, with the channel's answer.
CREATE TABLE reply_attempts (
  id          bigserial   PRIMARY KEY,
  reply_id    text        NOT NULL REFERENCES reply_ledger (reply_id),
  attempt     integer     NOT NULL,
  started_at  timestamptz NOT NULL,
  duration_ms integer     NOT NULL,
  outcome     text        NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  status_code integer,                -- the HTTP status; NULL for a transport failure
  code        text        NOT NULL DEFAULT '',  -- the channel's error code or the transport failure
  excerpt     text        NOT NULL DEFAULT '',  -- the start of the channel's answer
  actor       text        NOT NULL DEFAULT ''   -- the sender (host:pid) or the operator
);
CREATE INDEX reply_attempts_reply ON reply_attempts (reply_id, id);
