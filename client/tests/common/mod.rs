//! A real hostadmin, in process, on `127.0.0.1:0` over a fresh SQLite file:
//! the client's tests call it over HTTP. (The server is a dev-dependency
//! only; the client itself does not depend on it.)

#![allow(dead_code)]

use hostadmin_server::accounts::{self, Role};
use hostadmin_server::{Config, Service};

pub const ADMIN: (&str, &str) = ("admin", "correct horse battery staple");

pub struct Live {
    pub server: dropshot::HttpServer<Service>,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Live {
    /// A server with the administrator `ADMIN` (whose password is the one
    /// the spec's login examples use).
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let location = hostadmin_server::db::Location::Sqlite(dir.path().join("h.sqlite3"));
        let mut config = Config::new("127.0.0.1:0".parse().unwrap(), location);
        config.jwt_key = Some("dGVzdCBrZXkgZm9yIGhvc3RhZG1pbiBjbGllbnQgdGVzdHMh".into());
        config.log_level = dropshot::ConfigLoggingLevel::Warn;
        let server = hostadmin_server::start(&config).unwrap();
        {
            let mut conn = server.app_private().pool.get().unwrap();
            accounts::create(&mut conn, ADMIN.0, Role::Admin, ADMIN.1).unwrap();
        }
        let url = format!("http://{}", server.local_addr());
        Live { server, url, _dir: dir }
    }

    /// A platform API token acting as the administrator.
    pub fn api_token(&self) -> String {
        let mut conn = self.server.app_private().pool.get().unwrap();
        let id = accounts::find_by_name(&mut conn, ADMIN.0).unwrap().unwrap().id;
        hostadmin_server::tokens::create(&mut conn, hostadmin_server::tokens::Owner::Account(id), "test").unwrap()
    }

    /// Ends every session of the administrator, as `hostadmin user revoke-sessions` does.
    pub fn revoke_sessions(&self) {
        let mut conn = self.server.app_private().pool.get().unwrap();
        let id = accounts::find_by_name(&mut conn, ADMIN.0).unwrap().unwrap().id;
        assert!(accounts::revoke_sessions(&mut conn, id).unwrap());
    }

    pub fn set_password(&self, password: &str) {
        let mut conn = self.server.app_private().pool.get().unwrap();
        assert!(accounts::set_password(&mut conn, ADMIN.0, password).unwrap());
    }

    /// A client with all three surfaces' credentials, small pages' worth of
    /// patience, and no retries.
    pub fn client(&self) -> hostadmin_client::Client {
        hostadmin_client::Client::builder(&self.url)
            .login(ADMIN.0, ADMIN.1)
            .api_token(&self.api_token())
            .onlyoffice_login(ADMIN.0, ADMIN.1)
            .retries(hostadmin_client::RetryPolicy::none())
            .build()
            .unwrap()
    }
}
