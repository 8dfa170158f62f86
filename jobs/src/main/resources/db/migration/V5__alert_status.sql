-- The alert lifecycle (docs/lifecycle.md, docs/tables.md): every AlertUpdate in risk_alert_updates, upserted by
-- (alert_id, updated_at, status) so a replay writes the same rows; and each alert's current status in risk_alerts.

ALTER TABLE risk_alerts
    ADD COLUMN status            text NOT NULL DEFAULT 'OPEN',
    ADD COLUMN status_actor      text,
    ADD COLUMN status_note       text,
    ADD COLUMN status_changed_at timestamptz;
CREATE INDEX risk_alerts_status ON risk_alerts (status, event_time);

CREATE TABLE risk_alert_updates (
    alert_id    text NOT NULL,
    status      text NOT NULL,
    reason      text NOT NULL,
    note        text,
    actor       text,
    evidence    jsonb NOT NULL,
    event_time  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (alert_id, updated_at, status)
);
CREATE INDEX risk_alert_updates_updated_at ON risk_alert_updates (updated_at);

-- An alert's status is its latest update's (by updated_at, ties by status), else OPEN. Kept by triggers rather
-- than by the sink job, so that it is the same whichever of the two topics the job writes first: an alert row
-- takes its updates when it is written, and an update recomputes its alert's row.
CREATE FUNCTION risk_alerts_status() RETURNS trigger AS $$
BEGIN
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

CREATE TRIGGER risk_alerts_status BEFORE INSERT OR UPDATE ON risk_alerts
    FOR EACH ROW EXECUTE FUNCTION risk_alerts_status();

CREATE FUNCTION risk_alert_updates_apply() RETURNS trigger AS $$
BEGIN
    -- Touches the alert's row: its BEFORE trigger above recomputes the status.
    UPDATE risk_alerts SET status = status WHERE alert_id = NEW.alert_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER risk_alert_updates_apply AFTER INSERT OR UPDATE ON risk_alert_updates
    FOR EACH ROW EXECUTE FUNCTION risk_alert_updates_apply();
