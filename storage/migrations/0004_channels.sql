-- The HTTP channel adapters (mailbox, petition): their health, shared by every process, and the
-- nonces of signed webhooks, shared by every gateway.

-- One row per adapter, written by the process that holds its poller's lease after every pass
-- (and by nothing else), read by any gateway's status pages and the health report.
CREATE TABLE adapter_status (
  adapter         text PRIMARY KEY,           -- mailbox, petition
  instance        text             NOT NULL,  -- host:pid of the writer
  last_success_at timestamptz,
  last_error      text             NOT NULL DEFAULT '',
  last_error_at   timestamptz,
  caught_up_at    timestamptz,                -- when a pass last reached the end of the feed
  lag_seconds     double precision NOT NULL DEFAULT 0,  -- at updated_at: now - caught_up_at
  counters        jsonb            NOT NULL DEFAULT '{}',
  updated_at      timestamptz      NOT NULL DEFAULT now()
);

-- Nonces of signed requests seen, for the replay rule (the petition platform: 15 minutes).
CREATE TABLE channel_nonces (
  channel text        NOT NULL,
  nonce   text        NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, nonce)
);
CREATE INDEX channel_nonces_seen ON channel_nonces (seen_at);
