-- OAuth2 sign-in (XOAUTH2/OAUTHBEARER with a bearer token). No token is ever stored here: the
-- refresh token lives in the OS keyring. '' = the account logs in with a password.
ALTER TABLE accounts ADD COLUMN oauth_provider TEXT NOT NULL DEFAULT '';
-- '' = the client ID Pouch was built with for the provider.
ALTER TABLE accounts ADD COLUMN oauth_client_id TEXT NOT NULL DEFAULT '';
-- Endpoints of a custom provider, or overrides; '' = the provider's own. oauth_grant_url is
-- the token endpoint, named so that no column here reads like a secret.
ALTER TABLE accounts ADD COLUMN oauth_auth_url TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN oauth_grant_url TEXT NOT NULL DEFAULT '';
-- Space-separated scopes; '' = the provider's.
ALTER TABLE accounts ADD COLUMN oauth_scopes TEXT NOT NULL DEFAULT '';
