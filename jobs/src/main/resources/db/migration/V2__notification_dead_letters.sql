-- Notifications that could not be delivered after every retry (spec section 4: "never silently dropped"),
-- written by the notify job and upserted by message id, so a replayed failure rewrites its own row.

CREATE TABLE notification_dead_letters (
    message_id  text PRIMARY KEY,
    target      text NOT NULL,
    route       text NOT NULL,
    alert_ids   text[] NOT NULL,
    message     text NOT NULL,
    attempts    integer NOT NULL,
    last_error  text NOT NULL,
    failed_at   timestamptz NOT NULL
);
CREATE INDEX notification_dead_letters_failed_at ON notification_dead_letters (failed_at);
