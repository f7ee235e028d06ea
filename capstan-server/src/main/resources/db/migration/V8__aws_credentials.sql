-- AWS credentials for the processes of clusters, and the AWS role of accounts.

-- The role an account's clusters may ask the control plane to assume, with an optional session policy.
ALTER TABLE accounts ADD COLUMN aws_role_arn VARCHAR(2048);
ALTER TABLE accounts ADD COLUMN aws_session_policy VARCHAR(10000);

-- One row per cluster that gets AWS credentials, removed when the cluster stops. The credentials and the token
-- its processes present to the credentials endpoint are encrypted under the account's data key; the token is also
-- kept as a SHA-256 hash, by which the endpoint finds the row.
CREATE TABLE aws_credentials (
    cluster_id             VARCHAR(40)  PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    account_id             VARCHAR(40)  NOT NULL,
    source                 VARCHAR(16)  NOT NULL,
    credentials_ciphertext BYTEA,
    expires_at             TIMESTAMP WITH TIME ZONE,
    refreshed_at           TIMESTAMP WITH TIME ZONE,
    refresh_after          TIMESTAMP WITH TIME ZONE,
    refresh_problem        VARCHAR(1000),
    -- Whether the event saying the current credentials expired was written; reset by new credentials.
    expiry_announced       BOOLEAN      DEFAULT FALSE NOT NULL,
    token_hash             VARCHAR(64)  NOT NULL,
    token_ciphertext       BYTEA        NOT NULL,
    CONSTRAINT aws_credentials_token UNIQUE (token_hash)
);

CREATE INDEX aws_credentials_account ON aws_credentials (account_id);
CREATE INDEX aws_credentials_refresh ON aws_credentials (source, refresh_after);
