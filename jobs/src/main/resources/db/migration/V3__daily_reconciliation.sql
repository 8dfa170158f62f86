-- The daily reconciliation (docs/tables.md): one row per day (in reconciliation.time-zone), merchant and collection
-- worker, upserted, so a replay writes the same rows. '' in merchant_id or cwid: the records counted name none (bank
-- lines name only their worker, ledger lines neither).

CREATE TABLE daily_reconciliation (
    day                           date NOT NULL,
    merchant_id                   text NOT NULL,
    cwid                          text NOT NULL,
    time_zone                     text NOT NULL,
    collections_count             bigint NOT NULL,
    collections_amount            numeric(18, 2) NOT NULL,
    payouts_count                 bigint NOT NULL,
    payouts_amount                numeric(18, 2) NOT NULL,
    refunds_count                 bigint NOT NULL,
    refunds_amount                numeric(18, 2) NOT NULL,
    bank_credits_count            bigint NOT NULL,
    bank_credits_amount           numeric(18, 2) NOT NULL,
    bank_debits_count             bigint NOT NULL,
    bank_debits_amount            numeric(18, 2) NOT NULL,
    ledger                        jsonb NOT NULL,
    fees_amount                   numeric(18, 2) NOT NULL,
    net_balance_change            numeric(18, 2) NOT NULL,
    unmatched_collections_count   bigint NOT NULL,
    unmatched_collections_amount  numeric(18, 2) NOT NULL,
    unmatched_bank_count          bigint NOT NULL,
    unmatched_bank_amount         numeric(18, 2) NOT NULL,
    refunds_without_ledger        bigint NOT NULL,
    alerts                        jsonb NOT NULL,
    alerts_count                  bigint NOT NULL,
    PRIMARY KEY (day, merchant_id, cwid)
);
CREATE INDEX daily_reconciliation_merchant ON daily_reconciliation (merchant_id, day);
CREATE INDEX daily_reconciliation_cwid ON daily_reconciliation (cwid, day);
