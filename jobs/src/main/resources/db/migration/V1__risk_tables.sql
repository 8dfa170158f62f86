-- riskstream's tables for analysts (spec section 4). Columns are the Avro fields of the contract, one for one;
-- money is numeric(18,2), times timestamptz, enums text, alert evidence jsonb. Rows are upserted by their ids,
-- so replays, restarts and redeliveries never duplicate one.

CREATE TABLE risk_alerts (
    alert_id      text PRIMARY KEY,
    type          text NOT NULL,
    reason        text NOT NULL,
    severity      text NOT NULL,
    rule_id       text NOT NULL,
    rule_version  integer NOT NULL,
    merchant_id   text,
    cwid          text,
    account_id    text,
    user_id       text,
    order_no      text,
    utr           text,
    ip            text,
    amount        numeric(18, 2),
    summary       text NOT NULL,
    evidence      jsonb NOT NULL,
    event_time    timestamptz NOT NULL,
    detected_at   timestamptz NOT NULL
);
CREATE INDEX risk_alerts_event_time ON risk_alerts (event_time);
CREATE INDEX risk_alerts_type_reason ON risk_alerts (type, reason, event_time);
CREATE INDEX risk_alerts_merchant ON risk_alerts (merchant_id, event_time);
CREATE INDEX risk_alerts_cwid ON risk_alerts (cwid, event_time);
CREATE INDEX risk_alerts_utr ON risk_alerts (utr);
CREATE INDEX risk_alerts_order_no ON risk_alerts (order_no);
CREATE INDEX risk_alerts_ip ON risk_alerts (ip);
CREATE INDEX risk_alerts_account ON risk_alerts (account_id);

CREATE TABLE payments (
    event_id      text PRIMARY KEY,
    order_no      text NOT NULL,
    merchant_id   text NOT NULL,
    cwid          text,
    user_id       text,
    account_id    text,
    kind          text NOT NULL,
    status        text NOT NULL,
    amount        numeric(18, 2) NOT NULL,
    currency      text NOT NULL,
    utr           text,
    channel       text,
    payer_vpa     text,
    payee_vpa     text,
    ip            text,
    device_id     text,
    event_time    timestamptz NOT NULL
);
CREATE INDEX payments_order_no ON payments (order_no);
CREATE INDEX payments_utr ON payments (utr);
CREATE INDEX payments_merchant ON payments (merchant_id, event_time);
CREATE INDEX payments_cwid ON payments (cwid, event_time);
CREATE INDEX payments_event_time ON payments (event_time);
CREATE INDEX payments_ip ON payments (ip, event_time);

CREATE TABLE bills (
    bill_id           text PRIMARY KEY,
    utr               text NOT NULL,
    cwid              text NOT NULL,
    direction         text NOT NULL,
    amount            numeric(18, 2) NOT NULL,
    currency          text NOT NULL,
    counterparty_vpa  text,
    deduct_status     text NOT NULL,
    picked_up         boolean NOT NULL,
    event_time        timestamptz NOT NULL
);
CREATE INDEX bills_utr ON bills (utr);
CREATE INDEX bills_cwid ON bills (cwid, event_time);
CREATE INDEX bills_event_time ON bills (event_time);

CREATE TABLE balance_changes (
    log_id           text PRIMARY KEY,
    account_id       text NOT NULL,
    user_id          text,
    order_no         text,
    type_code        integer NOT NULL,
    amount           numeric(18, 2) NOT NULL,
    opening_balance  numeric(18, 2),
    closing_balance  numeric(18, 2) NOT NULL,
    fee              numeric(18, 2),
    state            text NOT NULL,
    operator_id      text,
    ip               text,
    event_time       timestamptz NOT NULL
);
CREATE INDEX balance_changes_account ON balance_changes (account_id, event_time);
CREATE INDEX balance_changes_order_no ON balance_changes (order_no);
CREATE INDEX balance_changes_event_time ON balance_changes (event_time);
CREATE INDEX balance_changes_type ON balance_changes (type_code, event_time);
