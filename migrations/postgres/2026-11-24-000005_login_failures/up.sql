-- Failed logins, counted per user name and per client address within a
-- window (server/src/throttle.rs). They live in the database so that every
-- replica counts every failure.
CREATE TABLE login_failures (
    -- 'user:' and the name tried, or 'addr:' and the client's address.
    subject TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    -- When the window began, in Unix milliseconds.
    window_start BIGINT NOT NULL
);
CREATE INDEX login_failures_window_start ON login_failures (window_start);
