-- The triggers of V5 each read the other table: an alert row its updates, an update its alert row. Two sink
-- transactions writing an alert and its update at the same moment (a replay, a catch-up) each saw the other's row
-- still uncommitted, so the alert kept OPEN with its update written (SinkJobITCase caught it). Both triggers now
-- take a lock on the alert's id first, held until their transaction ends: the second waits for the first to commit
-- and then, since a volatile function's statements each take a fresh snapshot, reads its row. Two batches holding
-- the same two alerts in opposite orders can deadlock; PostgreSQL aborts one and the sink retries its batch
-- (postgres.max-retries).
CREATE OR REPLACE FUNCTION risk_alerts_status() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('risk_alerts'), hashtext(NEW.alert_id));
    -- With no update, SELECT INTO sets all four to null.
    SELECT u.status, u.actor, u.note, u.updated_at
      INTO NEW.status, NEW.status_actor, NEW.status_note, NEW.status_changed_at
      FROM risk_alert_updates u
     WHERE u.alert_id = NEW.alert_id
     ORDER BY u.updated_at DESC, u.status DESC
     LIMIT 1;
    IF NEW.status IS NULL THEN
        NEW.status := 'OPEN';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION risk_alert_updates_apply() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('risk_alerts'), hashtext(NEW.alert_id));
    -- Touches the alert's row: its BEFORE trigger recomputes the status.
    UPDATE risk_alerts SET status = status WHERE alert_id = NEW.alert_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
