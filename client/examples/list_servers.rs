//! Logs in to a running hostadmin and lists its servers.
//!
//! ```sh
//! HOSTADMIN_URL=http://127.0.0.1:8080 HOSTADMIN_USER=admin HOSTADMIN_PASSWORD=... \
//!     cargo run -p hostadmin-client --example list_servers
//! ```

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("HOSTADMIN_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let user = std::env::var("HOSTADMIN_USER").unwrap_or_else(|_| "admin".into());
    let password = std::env::var("HOSTADMIN_PASSWORD").map_err(|_| "set HOSTADMIN_PASSWORD")?;

    let client = hostadmin_client::Client::builder(&url).login(&user, &password).build()?;
    let servers: Vec<_> = client.server_list().level(2).limit(50).stream().try_collect().await?;
    println!("{} server(s)", servers.len());
    for server in servers {
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
