-- Groups of people (the ONLYOFFICE surface).
CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    parent TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    description TEXT NOT NULL DEFAULT '',
    manager_id BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX groups_name ON groups (name);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_id ON group_members (user_id);
