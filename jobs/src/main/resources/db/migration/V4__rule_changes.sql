-- Every RuleUpdate published to risk-rules (docs/tables.md): the audit trail of the rules, one row per rule and
-- version, upserted, so a replay writes the same rows.

CREATE TABLE rule_changes (
    rule_id         text NOT NULL,
    version         integer NOT NULL,
    mode            text NOT NULL,
    settings        text NOT NULL,
    effective_from  timestamptz NOT NULL,
    author          text NOT NULL,
    reason          text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (rule_id, version)
);
CREATE INDEX rule_changes_created_at ON rule_changes (created_at);
