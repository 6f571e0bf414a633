-- The accounts that log in to administer the platform.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'readonly')),
    -- PHC string (argon2id); never returned, never logged.
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- System servers (the grommunio surface). Hostname and external name are
-- each unique across servers.
CREATE TABLE servers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    hostname TEXT NOT NULL UNIQUE,
    extname TEXT NOT NULL UNIQUE
);

-- Domains live on a server; a server holding domains cannot be deleted.
-- `code` is the hosting surface's name for a domain (DD and 8 digits).
CREATE TABLE domains (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    server_id BIGINT NOT NULL REFERENCES servers (id) ON DELETE RESTRICT
);
CREATE INDEX domains_server_id ON domains (server_id);

-- Users live on a domain; they make a server's `users` count. They are the
-- people of the groups surface, which names them by GUID.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guid TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    avatar_small TEXT NOT NULL DEFAULT '',
    domain_id BIGINT NOT NULL REFERENCES domains (id) ON DELETE RESTRICT
);
CREATE INDEX users_domain_id ON users (domain_id);

-- Service-wide settings that must survive restarts, such as the JWT
-- signing key when none is configured.
CREATE TABLE settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
