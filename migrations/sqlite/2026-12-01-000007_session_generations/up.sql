-- Sessions that can be revoked: every session token carries its account's
-- generation when it was issued, and a request is refused once the stored
-- generation has moved on (a password or role change, `hostadmin user
-- revoke-sessions`, a logout).
ALTER TABLE accounts ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
