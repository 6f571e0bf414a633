//! CORS in a real browser: a page served from one origin calls the API on
//! another with `fetch`, in headless Chromium (Debian's; `cargo xtask test`
//! installs it with the docs test). A page from an origin that is not
//! configured is refused by the browser. Skipped, saying so, where
//! `/usr/bin/chromium` is missing.

mod common;

use common::{TestServer, ADMIN};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The page: logs in (a form, no preflight), creates a server (JSON and the
/// CSRF header: a preflight), reads it back with the session cookie, and
/// calls the groups surface with `Authorization` (another preflight);
/// writes what it saw into `#out`.
fn page(api: &str) -> String {
    let (user, pass) = ADMIN;
    format!(
        r#"<!doctype html><html><body><pre id="out">pending</pre><script>
const api = "{api}";
const out = {{}};
async function run() {{
  try {{
    let r = await fetch(api + "/api/v1/login", {{method: "POST", credentials: "include",
      body: new URLSearchParams({{user: "{user}", pass: "{pass}"}})}});
    out.login = r.status;
    const session = await r.json();
    r = await fetch(api + "/api/v1/system/servers", {{method: "POST", credentials: "include",
      headers: {{"Content-Type": "application/json", "X-Csrf-Token": session.csrf}},
      body: JSON.stringify({{hostname: "from-browser", extname: "from-browser.example"}})}});
    out.create = r.status;
    r = await fetch(api + "/api/v1/system/servers?hostname=from-browser", {{credentials: "include"}});
    out.list = r.status;
    out.count = (await r.json()).count;
    r = await fetch(api + "/api/2.0/group", {{headers: {{"Authorization": "not-a-token"}}}});
    out.group = r.status;
    out.groupError = (await r.json()).error.message;
    out.requestId = r.headers.get("x-request-id") !== null;
  }} catch (e) {{
    out.error = String(e);
  }}
  document.getElementById("out").textContent = JSON.stringify(out);
}}
run();
</script></body></html>"#
    )
}

/// Serves `html` to every request on `listener`.
fn serve_page(listener: TcpListener, html: String) {
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = stream.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
}

/// What the page wrote, after Chromium ran it.
async fn run_page(url: String) -> Value {
    let profile = tempfile::tempdir().unwrap();
    let profile_arg = format!("--user-data-dir={}", profile.path().display());
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--virtual-time-budget=20000",
                &profile_arg,
                "--dump-dom",
                &url,
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    let text = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("no #out in the page: {dom}\n{}", String::from_utf8_lossy(&output.stderr)));
    let text = text.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("the page did not finish: {text}"))
}

#[tokio::test]
async fn a_page_on_another_origin_calls_the_api_through_cors() {
    if !std::path::Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} is missing (cargo xtask docs test installs it)");
        return;
    }
    let allowed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let denied = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let allowed_origin = format!("http://127.0.0.1:{}", allowed.local_addr().unwrap().port());
    let denied_url = format!("http://127.0.0.1:{}/", denied.local_addr().unwrap().port());
    let t = TestServer::start_with(|c| c.cors_origins = vec![allowed_origin.clone()]).await;
    serve_page(allowed, page(&t.url));
    serve_page(denied, page(&t.url));

    let seen = run_page(format!("{allowed_origin}/")).await;
    assert_eq!(seen["error"], Value::Null, "{seen}");
    assert_eq!(seen["login"], 200, "{seen}");
    assert_eq!(seen["create"], 201, "the preflight granted JSON and X-Csrf-Token: {seen}");
    assert_eq!((seen["list"].clone(), seen["count"].clone()), (200.into(), 1.into()), "the cookie went along: {seen}");
    assert_eq!(seen["group"], 401, "{seen}");
    assert_eq!(seen["groupError"], "Unauthorized", "errors are readable: {seen}");
    assert_eq!(seen["requestId"], true, "x-request-id is exposed: {seen}");

    // The same page from an origin that is not configured: the browser
    // keeps the first answer from it.
    let seen = run_page(denied_url).await;
    assert!(seen["error"].as_str().unwrap_or_default().contains("Failed to fetch"), "{seen}");
    assert_eq!(seen["login"], Value::Null, "{seen}");
}
