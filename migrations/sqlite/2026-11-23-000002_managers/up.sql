-- Hosting managers (the Qboxmail surface). Limits are -1 for "no limit".
CREATE TABLE managers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    email_address TEXT NOT NULL UNIQUE,
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    company TEXT NOT NULL DEFAULT '',
    -- PHC string (argon2id); never returned, never logged.
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Inactive')),
    catch_all BOOLEAN NOT NULL DEFAULT FALSE,
    max_domains INTEGER NOT NULL DEFAULT -1,
    max_delivery_domains INTEGER NOT NULL DEFAULT -1,
    max_delivery_accounts INTEGER NOT NULL DEFAULT -1,
    max_email_accounts INTEGER NOT NULL DEFAULT -1,
    max_email_accounts_archive INTEGER NOT NULL DEFAULT -1,
    max_email_accounts_25gb INTEGER NOT NULL DEFAULT -1,
    max_email_accounts_50gb INTEGER NOT NULL DEFAULT -1,
    max_email_accounts_100gb INTEGER NOT NULL DEFAULT -1,
    max_email_quota BIGINT,
    created_at BIGINT NOT NULL
);

-- Which manager a hosting domain is assigned to (at most one). Deleting
-- the domain or the manager removes the assignment in the same statement.
CREATE TABLE manager_domains (
    domain_id BIGINT PRIMARY KEY NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    manager_id BIGINT NOT NULL REFERENCES managers (id) ON DELETE CASCADE
);
CREATE INDEX manager_domains_manager_id ON manager_domains (manager_id);

-- Delivery (outbound transactional mail) domains and accounts.
CREATE TABLE delivery_domains (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    manager_id BIGINT REFERENCES managers (id) ON DELETE SET NULL
);
CREATE INDEX delivery_domains_manager_id ON delivery_domains (manager_id);

CREATE TABLE delivery_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    delivery_domain_id BIGINT NOT NULL REFERENCES delivery_domains (id) ON DELETE CASCADE,
    manager_id BIGINT REFERENCES managers (id) ON DELETE SET NULL,
    UNIQUE (delivery_domain_id, username)
);
CREATE INDEX delivery_accounts_manager_id ON delivery_accounts (manager_id);

-- API tokens for the managers surface: of an administrator account (a
-- platform token) or of a manager. Only a hash of the secret is kept.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    secret_hash TEXT NOT NULL,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    manager_id BIGINT REFERENCES managers (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    CHECK ((account_id IS NULL) <> (manager_id IS NULL))
);
