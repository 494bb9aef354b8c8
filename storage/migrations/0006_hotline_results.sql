-- The 12328 result files (adapters/hotline12328/result_sender.hpp): each file is planned here, with
-- its name and its rows, in the transaction that takes its replies from the delivery ledger and
-- advances the result sequence; only then is it written. A process that dies before the file is
-- written (or before it is marked so) writes the SAME name with the same rows again, so the platform
-- never gets one answer twice under two sequence numbers.
CREATE TABLE hotline_result_files (
  name                text        PRIMARY KEY,
  sequence            bigint      NOT NULL UNIQUE,
  reply_ids           text[]      NOT NULL,  -- the file's rows, in order
  state               text        NOT NULL DEFAULT 'planned'
                      CHECK (state IN ('planned', 'written', 'answered')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  written_at          timestamptz,
  answered_at         timestamptz,            -- its receipt was applied
  overdue_reported_at timestamptz,            -- no receipt within the timeout: reported once
  receipt_error       text        NOT NULL DEFAULT ''  -- a receipt that could not be read
);
CREATE INDEX hotline_result_files_open ON hotline_result_files (sequence) WHERE state <> 'answered';
