//! Retries against a loopback HTTP server that answers canned responses (a
//! real socket; hostadmin itself cannot be made to answer 503 or 429 on
//! demand). Every wait is configured small and every test is bounded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hostadmin_client::{types, ApiError, Client, ErrorExt, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `answers` in order (the last one repeats), one per connection;
/// counts the requests.
async fn canned(answers: Vec<String>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let answer = answers[n.min(answers.len() - 1)].clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => got.extend_from_slice(&buf[..k]),
                    }
                }
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, count)
}

fn answer(status: &str, headers: &[&str], body: &str) -> String {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    format!("{head}\r\n{body}")
}

const LIST: &str = r#"{"data":[],"count":0}"#;
const BUSY: &str = r#"{"message":"The database query failed"}"#;
const SLOW_DOWN: &str = r#"{"message":"Too Many Requests","error":"slow down"}"#;

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_millis(100),
        non_idempotent: false,
    }
}

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder(url)
        .session(types::LoginResult { csrf: "c".into(), grommunio_auth_jwt: "j".into() })
        .retries(policy)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn server_create() -> types::ServerCreate {
    serde_json::from_value(serde_json::json!({"hostname": "a", "extname": "a"})).unwrap()
}

#[tokio::test]
async fn a_get_is_retried_on_503_and_429_honouring_retry_after() {
    let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(60));
    let (url, count) = canned(vec![
        answer("503 Service Unavailable", &["Retry-After: 0"], BUSY),
        answer("429 Too Many Requests", &[&format!("Retry-After: {past}")], SLOW_DOWN),
        // asks for an hour: capped at the policy's 100 ms
        answer("429 Too Many Requests", &["Retry-After: 3600"], SLOW_DOWN),
        answer("200 OK", &[], LIST),
    ])
    .await;
    let started = Instant::now();
    let page = tokio::time::timeout(Duration::from_secs(5), client(&url, fast()).server_list().send())
        .await
        .expect("bounded")
        .unwrap();
    assert_eq!(page.count, 0);
    assert_eq!(count.load(Ordering::SeqCst), 4);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(100) && took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_the_last_answer_is_typed() {
    let (url, count) = canned(vec![answer("429 Too Many Requests", &["Retry-After: 0"], SLOW_DOWN)]).await;
    let policy = RetryPolicy { max_retries: 2, ..fast() };
    let e = client(&url, policy).server_list().send().await.unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 3);
    // 429 is not documented for server_list: an UnexpectedResponse, read as the system surface's body.
    assert!(matches!(e, progenitor_client::Error::UnexpectedResponse(_)));
    match e.into_api_error().await {
        ApiError::Response { status, body } => {
            assert_eq!(status, 429);
            assert_eq!(body.error.as_deref(), Some("slow down"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_post_is_not_retried_unless_asked() {
    let answers = vec![
        answer("503 Service Unavailable", &["Retry-After: 0"], BUSY),
        answer("201 Created", &[], r#"{"ID":1,"hostname":"a","extname":"a","users":0,"domains":0}"#),
    ];
    let (url, count) = canned(answers.clone()).await;
    let e = client(&url, fast()).server_create().body(server_create()).send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let (url, count) = canned(answers).await;
    let policy = RetryPolicy { non_idempotent: true, ..fast() };
    let created = client(&url, policy).server_create().body(server_create()).send().await.unwrap();
    assert_eq!((created.status().as_u16(), created.id), (201, 1));
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let (url, count) = canned(vec![answer("503 Service Unavailable", &["Retry-After: 0"], BUSY)]).await;
    let e = client(&url, RetryPolicy::none()).server_list().send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_failures_are_retried_with_backoff() {
    // A port that was just free: nothing listens.
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let policy = RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(40),
        max_backoff: Duration::from_millis(80),
        ..fast()
    };
    let started = Instant::now();
    let e =
        tokio::time::timeout(Duration::from_secs(5), client(&url, policy).server_list().send()).await.expect("bounded");
    // Two backoffs of at least half of 40 ms and of 80 ms.
    assert!(started.elapsed() >= Duration::from_millis(60), "{:?}", started.elapsed());
    assert!(matches!(e, Err(progenitor_client::Error::CommunicationError(ref c)) if c.is_connect()), "{e:?}");

    let started = Instant::now();
    let e = client(&url, RetryPolicy::none()).server_list().send().await;
    assert!(e.is_err() && started.elapsed() < Duration::from_millis(60));
}
