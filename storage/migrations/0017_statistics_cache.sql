-- Statistics read from a copy of the facts in each reading process's memory
-- (docs/decisions/0018-statistics-summed-in-memory-from-the-facts.md). Every refresh that derives
-- tickets again numbers itself (stats_state.version) and logs which tickets it derived
-- (stats_changes), so a process brings its copy up to date by reading only those tickets' facts.
-- `instance` tells one store from another (a database dropped and made again gets a new one).
ALTER TABLE stats_state
  ADD COLUMN instance uuid   NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version  bigint NOT NULL DEFAULT 0,
  -- Log rows up to this version are pruned: a copy older than it is read again whole.
  ADD COLUMN log_from bigint NOT NULL DEFAULT 0;

CREATE TABLE stats_changes (
  version   bigint      NOT NULL,
  ticket_id bigint      NOT NULL
);
CREATE INDEX stats_changes_version ON stats_changes (version);

-- When each version was made, to prune the log by age.
CREATE TABLE stats_versions (
  version bigint      PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now()
);
