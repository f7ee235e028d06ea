-- Telemetry of clusters (kept until deleted by hand) and the cursors of log collection.

CREATE TABLE telemetry_samples (
    cluster_id       VARCHAR(40) NOT NULL,
    account_id       VARCHAR(40) NOT NULL,
    at               TIMESTAMP WITH TIME ZONE NOT NULL,
    workers          INTEGER     NOT NULL,
    tasks_processing BIGINT      NOT NULL,
    tasks_memory     BIGINT      NOT NULL,
    tasks_completed  BIGINT      NOT NULL,
    tasks_erred      BIGINT      NOT NULL,
    memory_bytes     BIGINT,
    PRIMARY KEY (cluster_id, at)
);

CREATE INDEX telemetry_samples_account ON telemetry_samples (account_id, at);

-- One row per cluster that outlives it: what it did, at its peak and in total.
CREATE TABLE telemetry_summaries (
    cluster_id        VARCHAR(40)   PRIMARY KEY,
    account_id        VARCHAR(40)   NOT NULL,
    first_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    last_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    workers_current   INTEGER       NOT NULL,
    workers_peak      INTEGER       NOT NULL,
    worker_millis     BIGINT        NOT NULL,
    tasks_completed   BIGINT        NOT NULL,
    tasks_erred       BIGINT        NOT NULL,
    memory_current    BIGINT,
    memory_peak       BIGINT,
    compute_seconds   DOUBLE PRECISION,
    tasks_by_state    VARCHAR(4000) NOT NULL,
    tasks_by_prefix   VARCHAR(20000) NOT NULL
);

CREATE INDEX telemetry_summaries_account ON telemetry_summaries (account_id, last_at);

-- How far the output of each process of a cluster has been read into the log store.
CREATE TABLE log_cursors (
    cluster_id VARCHAR(40)  NOT NULL,
    source     VARCHAR(128) NOT NULL,
    position   BIGINT       NOT NULL,
    PRIMARY KEY (cluster_id, source)
);

ALTER TABLE clusters ADD COLUMN log_lines_dropped BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE clusters ADD COLUMN log_bytes_stored BIGINT DEFAULT 0 NOT NULL;
