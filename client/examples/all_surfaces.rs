//! The three surfaces through one client: a stream, a typed error.
//! `HOSTADMIN_URL=.. HOSTADMIN_PASSWORD=.. HOSTADMIN_TOKEN=.. cargo run -p hostadmin-client --example all_surfaces`

use futures::TryStreamExt;
use hostadmin_client::{Client, ErrorExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let (password, token) = (var("HOSTADMIN_PASSWORD")?, var("HOSTADMIN_TOKEN")?);
    let client = Client::builder(&var("HOSTADMIN_URL")?)
        .login("admin", &password) // /api/v1: session cookie + CSRF, renewed on 401
        .api_token(&token) // /api/managers, /api/domains, ...
        .onlyoffice_login("admin", &password) // /api/2.0: Authorization
        .build()?;

    let servers: Vec<_> = client.server_list().limit(100).stream().try_collect().await?;
    let managers = client.manager_list().per(50).send().await?.into_inner();
    let mut groups = client.group_list().stream();
    while let Some(group) = groups.try_next().await? {
        println!("group {} ({})", group.name, group.id);
    }
    println!("{} servers, {} managers", servers.len(), managers.pagination.total_records);

    match client.manager_get().manager_code("MN00000000").send().await {
        Ok(manager) => println!("found {}", manager.email_address),
        Err(e) => {
            let e = e.into_api_error().await;
            println!("{:?}: {}", e.status(), e.body().map_or("", |b| b.message.as_str()));
        }
    }
    Ok(())
}
