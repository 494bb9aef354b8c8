-- Issue 18: repeated appeals found by every key and by their wording (docs/duplicates.md).
--
-- Keys a new ticket is looked up by in the intake transaction, made by router::duplicate_keys:
-- p:<full mobile>, m:<a full mobile's visible 3+4 digits>, x:<a masked mobile's>, l:<landline
-- without area code>, v:<plate> (the plate field and plates written in the text). A btree lookup
-- per batch (key = ANY(...)); a GIN index on an array column was tried first and the planner
-- preferred a sequential scan with a per-row array overlap (seconds per batch).
CREATE TABLE ticket_keys (
  key         text        NOT NULL,
  received_at timestamptz NOT NULL,
  ticket_id   bigint      NOT NULL
);
CREATE INDEX ticket_keys_lookup ON ticket_keys (key, received_at) INCLUDE (ticket_id);
CREATE INDEX ticket_keys_ticket ON ticket_keys (ticket_id);
-- Tickets taken in before this migration: the keys SQL can make from the phone and plate fields.
INSERT INTO ticket_keys (key, received_at, ticket_id)
SELECT k, received_at, id FROM (
  SELECT id, received_at, unnest(ARRAY[
    CASE WHEN citizen_phone ~ '^1[0-9]{10}$'
         THEN 'm:' || left(citizen_phone, 3) || right(citizen_phone, 4)
         WHEN citizen_phone ~ '^1[0-9]{2}\*{4}[0-9]{4}$'
         THEN 'x:' || left(citizen_phone, 3) || right(citizen_phone, 4) END,
    CASE WHEN citizen_phone ~ '^1[0-9]{10}$' THEN 'p:' || citizen_phone END,
    CASE WHEN regexp_replace(citizen_phone, '[^0-9]', '', 'g') ~ '^0[12][0-9]{8,9}$'
         THEN 'l:' || substr(regexp_replace(citizen_phone, '[^0-9]', '', 'g'), 4)
         WHEN regexp_replace(citizen_phone, '[^0-9]', '', 'g') ~ '^0[3-9][0-9]{9,10}$'
         THEN 'l:' || substr(regexp_replace(citizen_phone, '[^0-9]', '', 'g'), 5) END,
    CASE WHEN plate <> '' THEN 'v:' || plate END]) AS k
  FROM tickets WHERE received_at > now() - interval '400 days') AS keys
WHERE k IS NOT NULL;

-- The text path runs after the intake commit (router/duplicate_scan.hpp): each new ticket's
-- character bigrams are stored here, and earlier tickets sharing the most of its rarer bigrams are
-- scored. Intake queues each new ticket here (one row, no update of the ticket later); tickets
-- taken in before this migration are queued when received within 60 days.
CREATE TABLE text_scan_queue (
  ticket_id bigint PRIMARY KEY
);
INSERT INTO text_scan_queue SELECT id FROM tickets WHERE received_at > now() - interval '60 days';

CREATE TABLE ticket_grams (
  gram        integer     NOT NULL,  -- two code points (router::text_index_grams)
  received_at timestamptz NOT NULL,
  ticket_id   bigint      NOT NULL
);
CREATE INDEX ticket_grams_lookup ON ticket_grams (gram, received_at) INCLUDE (ticket_id);
CREATE INDEX ticket_grams_ticket ON ticket_grams (ticket_id);

-- How many tickets hold each bigram: the common ones (template and place words) are neither
-- stored nor looked up once they pass duplicates.common_gram_share of all tickets.
CREATE TABLE gram_counts (
  gram    integer PRIMARY KEY,
  tickets integer NOT NULL
);
CREATE TABLE text_scan_state (
  id      integer PRIMARY KEY CHECK (id = 1),
  tickets bigint  NOT NULL  -- tickets indexed so far
);
INSERT INTO text_scan_state VALUES (1, 0);

-- An operator's decision on a suggestion: 'rejected' is remembered, so that the pair is not
-- suggested again; a confirmation turns the link into 'merged'.
ALTER TABLE duplicate_links DROP CONSTRAINT duplicate_links_action_check;
ALTER TABLE duplicate_links ADD CONSTRAINT duplicate_links_action_check
  CHECK (action IN ('merged', 'suggested', 'rejected'));
ALTER TABLE duplicate_links
  ADD COLUMN found_by   text NOT NULL DEFAULT 'keys' CHECK (found_by IN ('keys', 'text', 'person')),
  ADD COLUMN decided_by text,
  ADD COLUMN decided_at timestamptz,
  ADD COLUMN decision_note text NOT NULL DEFAULT '';
CREATE INDEX duplicate_links_open_suggestions ON duplicate_links (created_at)
  WHERE action = 'suggested';
