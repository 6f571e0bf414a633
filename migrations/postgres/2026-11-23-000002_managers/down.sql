DROP TABLE api_tokens;
DROP TABLE delivery_accounts;
DROP TABLE delivery_domains;
DROP TABLE manager_domains;
DROP TABLE managers;
