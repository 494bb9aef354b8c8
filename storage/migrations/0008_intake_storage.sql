-- Large values compressed with lz4 instead of pglz: the intake writes a ticket's appeal, its
-- routing explanation and a ticket.routed snapshot per department for every appeal, and pglz
-- compression was a large share of that work (lz4 is several times faster at a similar ratio).
ALTER TABLE tickets ALTER COLUMN appeal SET COMPRESSION lz4;
ALTER TABLE tickets ALTER COLUMN deadline_basis SET COMPRESSION lz4;
ALTER TABLE ticket_events ALTER COLUMN data SET COMPRESSION lz4;
ALTER TABLE outbox ALTER COLUMN body SET COMPRESSION lz4;
-- An outbox row is written once and marked sent once: its body kept out of line (uncompressed),
-- so marking it sent rewrites a small row instead of the whole message.
ALTER TABLE outbox ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE outbox SET (toast_tuple_target = 128);
