//! Logs in to a running hostadmin and lists its servers.
//!
//! ```sh
//! HOSTADMIN_URL=http://127.0.0.1:8080 HOSTADMIN_USER=admin HOSTADMIN_PASSWORD=... \
//!     cargo run -p hostadmin-client --example list_servers
//! ```

use hostadmin_client::types::LoginForm;
use hostadmin_client::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("HOSTADMIN_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let user = std::env::var("HOSTADMIN_USER").unwrap_or_else(|_| "admin".into());
    let password = std::env::var("HOSTADMIN_PASSWORD").map_err(|_| "set HOSTADMIN_PASSWORD")?;

    let session = Client::new(&url)
        .login()
        .body(LoginForm { user: user.as_str().try_into()?, pass: password.as_str().try_into()? })
        .send()
        .await?
        .into_inner();
    let client = hostadmin_client::session_client(&url, &session)?;

    let page = client.server_list().level(2).limit(50).send().await?.into_inner();
    println!("{} server(s)", page.count);
    for server in page.data {
        println!(
            "{:>6}  {:<30} {:<30} users={} domains={}",
            server.id,
            server.hostname,
            server.extname.unwrap_or_default(),
            server.users.unwrap_or(0),
            server.domains.unwrap_or(0)
        );
    }
    Ok(())
}
