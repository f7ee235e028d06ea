-- Emails become ciphertext (encrypted under each user's data key by the Java migration that follows), and data
-- key rotations keep their progress here so that a rotation interrupted by a crash resumes where it stopped.

ALTER TABLE users ADD COLUMN email_ciphertext BYTEA;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

CREATE TABLE data_key_rotations (
    id                VARCHAR(40)  PRIMARY KEY,
    scope             VARCHAR(100) NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    phase             VARCHAR(16)  NOT NULL,
    column_index      INTEGER      NOT NULL,
    last_row_id       VARCHAR(100),
    rows_scanned      BIGINT       NOT NULL,
    rows_reencrypted  BIGINT       NOT NULL,
    rows_total        BIGINT       NOT NULL,
    error             VARCHAR(1000),
    started_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at       TIMESTAMP WITH TIME ZONE
);
