-- API tokens get an id, so that their owner (or an administrator) can list and revoke them.
ALTER TABLE api_tokens ADD COLUMN id bigserial UNIQUE;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Caller-history searches by phone: who searched, why, for which (masked) number, and when. The
-- full number is not kept; the rows also serve the per-user rate limit.
CREATE TABLE phone_searches (
  id           bigserial   PRIMARY KEY,
  username     text        NOT NULL,
  purpose      text        NOT NULL,
  phone_masked text        NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_searches_user ON phone_searches (username, at);
