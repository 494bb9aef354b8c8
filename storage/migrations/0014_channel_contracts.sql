-- Issue 14: what the 12328 file interface leaves for a person to act on.
--
-- A result file the platform never answered (no receipt after the alarm) can be abandoned by a
-- manager: its replies go into a later file. A receipt that still comes for it settles nothing;
-- it is kept here so that someone can see what the platform did with the lost file.
ALTER TABLE hotline_result_files DROP CONSTRAINT hotline_result_files_state_check;
ALTER TABLE hotline_result_files ADD CONSTRAINT hotline_result_files_state_check
  CHECK (state IN ('planned', 'written', 'answered', 'abandoned'));
ALTER TABLE hotline_result_files
  ADD COLUMN abandoned_at    timestamptz,
  ADD COLUMN abandoned_by    text NOT NULL DEFAULT '',
  ADD COLUMN late_receipt_at timestamptz,
  ADD COLUMN late_receipt    text NOT NULL DEFAULT '';  -- e.g. "3 成功, 1 失败 (工单已撤销)"

-- What the 12328 export intake refused, for operators to take up with the platform: a whole file
-- (line NULL: a damaged transfer, a bad marker) or one row of a file that was otherwise taken.
CREATE TABLE hotline_refused (
  id         bigserial   PRIMARY KEY,
  file       text        NOT NULL,
  line       integer,                 -- where the row starts; NULL for the whole file
  reason     text        NOT NULL,
  refused_at timestamptz NOT NULL DEFAULT now()
);
-- A file read again (moved back by hand) does not list its refusals twice.
CREATE UNIQUE INDEX hotline_refused_once ON hotline_refused (file, (coalesce(line, 0)));
CREATE INDEX hotline_refused_recent ON hotline_refused (refused_at DESC, id DESC);
