-- Who changed what: one row per successful write, inserted in the write's
-- own transaction (see server/src/audit.rs). `at` is milliseconds since the
-- epoch; old rows go after the configured retention.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at BIGINT NOT NULL,
    principal TEXT NOT NULL,
    via TEXT NOT NULL,
    operation TEXT NOT NULL,
    method TEXT NOT NULL,
    target TEXT NOT NULL,
    request_id TEXT NOT NULL,
    client TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_principal ON audit_log (principal, at);
