-- More routing keys for one outbox message (RabbitMQ's CC header): a ticket placed with a lead
-- and assisting departments is one message to dept.<lead> copied to dept.<each assisting>, not
-- one stored, relayed and confirmed message per department.
ALTER TABLE outbox ADD COLUMN cc text[] NOT NULL DEFAULT '{}';
