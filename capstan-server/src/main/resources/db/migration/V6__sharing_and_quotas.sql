-- Quotas of accounts; shared resources (software environments, cluster configurations, notebooks) with a
-- visibility; what a cluster was created from.

ALTER TABLE accounts ADD COLUMN quota_clusters INTEGER DEFAULT 5 NOT NULL;
ALTER TABLE accounts ADD COLUMN quota_workers INTEGER DEFAULT 20 NOT NULL;
ALTER TABLE accounts ADD COLUMN quota_cores INTEGER DEFAULT 40 NOT NULL;

CREATE TABLE environments (
    id                VARCHAR(40)    PRIMARY KEY,
    account_id        VARCHAR(40)    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    creator_id        VARCHAR(40)    NOT NULL,
    name              VARCHAR(63)    NOT NULL,
    visibility        VARCHAR(16)    NOT NULL,
    python_executable VARCHAR(4096),
    image             VARCHAR(512),
    packages          VARCHAR(100000) NOT NULL,
    description       VARCHAR(1000),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT environments_name UNIQUE (account_id, name)
);

CREATE TABLE cluster_configurations (
    id          VARCHAR(40)   PRIMARY KEY,
    account_id  VARCHAR(40)   NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    creator_id  VARCHAR(40)   NOT NULL,
    name        VARCHAR(63)   NOT NULL,
    visibility  VARCHAR(16)   NOT NULL,
    options     VARCHAR(20000) NOT NULL,
    description VARCHAR(1000),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT cluster_configurations_name UNIQUE (account_id, name)
);

-- Notebook content is encrypted under the account's data key: outputs may hold data.
CREATE TABLE notebooks (
    id                 VARCHAR(40) PRIMARY KEY,
    account_id         VARCHAR(40) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    creator_id         VARCHAR(40) NOT NULL,
    name               VARCHAR(63) NOT NULL,
    visibility         VARCHAR(16) NOT NULL,
    content_ciphertext BYTEA       NOT NULL,
    size_bytes         BIGINT      NOT NULL,
    cells              INTEGER     NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT notebooks_name UNIQUE (account_id, name)
);

-- A cluster keeps the interpreter it was started with, so that an environment made private or deleted later does
-- not break it.
ALTER TABLE clusters ADD COLUMN environment_id VARCHAR(40);
ALTER TABLE clusters ADD COLUMN python_executable VARCHAR(4096);
ALTER TABLE clusters ADD COLUMN configuration_id VARCHAR(40);
