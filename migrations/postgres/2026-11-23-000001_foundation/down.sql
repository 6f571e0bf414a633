DROP TABLE settings;
DROP TABLE users;
DROP TABLE domains;
DROP TABLE servers;
DROP TABLE accounts;
