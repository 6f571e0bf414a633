//! How a consumer of `hostadmin-client` tests its own code without a
//! hostadmin: the function under test takes a `Client`, the test points it
//! at an httpmock server whose expectations are typed by the spec, and
//! checks both what the function returned and what it asked for.

use hostadmin_client::types::{Server, ServerList, ServerListSortItem, SystemError};
use hostadmin_client::Client;
use hostadmin_client_mock::MockServerExt;

/// The code under test: the server with the most users, as `(hostname,
/// users)`, or `None` when there is no server.
async fn busiest_server(client: &Client) -> Result<Option<(String, i64)>, hostadmin_client::Error<SystemError>> {
    let page = client
        .server_list()
        .level(2)
        .sort(vec![ServerListSortItem::try_from("users,desc").unwrap()])
        .limit(1)
        .send()
        .await?
        .into_inner();
    Ok(page.data.into_iter().next().map(|s| (s.hostname, s.users.unwrap_or(0))))
}

#[tokio::test]
async fn the_busiest_server_is_asked_for_and_read_from_the_answer() {
    let server = httpmock::MockServer::start_async().await;
    let sort = vec![ServerListSortItem::try_from("users,desc").unwrap()];
    let mock = server.server_list(|when, then| {
        // Only a request with exactly these parameters is answered.
        when.level(2).limit(1).sort(&sort);
        then.ok(&ServerList {
            count: 3,
            data: vec![Server {
                id: 2,
                hostname: "mail02".into(),
                extname: Some("mail02.example.com".into()),
                users: Some(120),
                domains: Some(4),
            }],
        });
    });
    let client = Client::builder(&server.base_url()).build().unwrap();

    assert_eq!(busiest_server(&client).await.unwrap(), Some(("mail02".to_string(), 120)));
    mock.assert_async().await;
}

#[tokio::test]
async fn an_expired_session_comes_back_as_the_services_error() {
    let server = httpmock::MockServer::start_async().await;
    let mock = server.server_list(|_, then| {
        then.unauthorized(&SystemError {
            message: "Access denied".into(),
            error: Some("the session has expired".into()),
            errors: vec![],
        });
    });
    let client = Client::builder(&server.base_url()).build().unwrap();

    match busiest_server(&client).await {
        Err(hostadmin_client::Error::ErrorResponse(answer)) => {
            assert_eq!(answer.status().as_u16(), 401);
            assert_eq!(answer.error.as_deref(), Some("the session has expired"));
        }
        other => panic!("expected the 401 answer, got {other:?}"),
    }
    mock.assert_async().await;
}
