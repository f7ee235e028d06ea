-- Clusters and their lifecycle, and the log store that holds cluster events (encrypted, kept 30 days).

CREATE TABLE clusters (
    id                      VARCHAR(40)   PRIMARY KEY,
    account_id              VARCHAR(40)   NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    creator_id              VARCHAR(40)   NOT NULL,
    name                    VARCHAR(63)   NOT NULL,
    state                   VARCHAR(16)   NOT NULL,
    state_reason            VARCHAR(1000),
    workers                 INTEGER       NOT NULL,
    threads_per_worker      INTEGER       NOT NULL,
    memory_per_worker_bytes BIGINT        NOT NULL,
    idle_timeout_seconds    BIGINT        NOT NULL,
    max_lifetime_seconds    BIGINT        NOT NULL,
    labels                  VARCHAR(8000) NOT NULL,
    backend                 VARCHAR(32)   NOT NULL,
    scheduler_address       VARCHAR(200),
    ca_certificate          VARCHAR(4000) NOT NULL,
    -- The cluster CA's private key, encrypted under the account's data key; NULL once the cluster stopped.
    ca_key_ciphertext       BYTEA,
    idempotency_key         VARCHAR(200),
    request_fingerprint     VARCHAR(64),
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at              TIMESTAMP WITH TIME ZONE,
    stopped_at              TIMESTAMP WITH TIME ZONE,
    expires_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    last_activity_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    worker_restarts         INTEGER       NOT NULL,
    CONSTRAINT clusters_idempotency UNIQUE (account_id, idempotency_key)
);

CREATE INDEX clusters_account ON clusters (account_id, created_at);
CREATE INDEX clusters_state ON clusters (state);

CREATE SEQUENCE log_entry_ids START WITH 1 INCREMENT BY 1;

-- Events and process logs, each message encrypted under its account's data key.
CREATE TABLE log_entries (
    id                 BIGINT       PRIMARY KEY,
    account_id         VARCHAR(40)  NOT NULL,
    subject_id         VARCHAR(40)  NOT NULL,
    kind               VARCHAR(16)  NOT NULL,
    source             VARCHAR(64)  NOT NULL,
    at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    message_ciphertext BYTEA        NOT NULL
);

CREATE INDEX log_entries_subject ON log_entries (subject_id, id);
CREATE INDEX log_entries_account ON log_entries (account_id);
CREATE INDEX log_entries_at ON log_entries (at);
