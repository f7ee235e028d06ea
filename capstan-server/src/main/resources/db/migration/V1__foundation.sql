-- Users, accounts (teams) and their memberships, API tokens.
-- The same SQL runs on H2 (PostgreSQL mode) and on PostgreSQL.

CREATE TABLE users (
    id           VARCHAR(40)  PRIMARY KEY,
    username     VARCHAR(63)  NOT NULL UNIQUE,
    email        VARCHAR(254) NOT NULL,
    server_admin BOOLEAN      NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE accounts (
    id         VARCHAR(40) PRIMARY KEY,
    name       VARCHAR(63) NOT NULL UNIQUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE memberships (
    account_id VARCHAR(40) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    VARCHAR(40) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       VARCHAR(16) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (account_id, user_id)
);

CREATE INDEX memberships_user ON memberships (user_id);

-- Only the SHA-256 of a token is stored; the prefix is its first characters, for people to recognise it.
CREATE TABLE api_tokens (
    id           VARCHAR(40)  PRIMARY KEY,
    user_id      VARCHAR(40)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         VARCHAR(100) NOT NULL,
    prefix       VARCHAR(20)  NOT NULL,
    secret_hash  CHAR(64)     NOT NULL UNIQUE,
    scope        VARCHAR(16)  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE
);

CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- One-time facts about this installation, such as "the administrator was bootstrapped".
CREATE TABLE server_state (
    name       VARCHAR(64)   PRIMARY KEY,
    state      VARCHAR(1000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
