//! The docs portal as the service serves it at `/docs/`.

mod common;

use common::TestServer;

#[tokio::test]
async fn the_portal_is_served_with_a_page_per_operation() {
    let t = TestServer::start().await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let bare = no_redirects.get(format!("{}/docs", t.url)).send().await.unwrap();
    assert_eq!(bare.status().as_u16(), 308);
    assert_eq!(bare.headers()["location"], "/docs/");

    let index = t.http().get(format!("{}/docs/", t.url)).send().await.unwrap();
    assert_eq!(index.status().as_u16(), 200);
    assert!(index.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    // Only the portal's own files load and run in its pages; nothing is
    // sniffed or framed.
    let csp = index.headers()["content-security-policy"].to_str().unwrap().to_string();
    for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert_eq!(index.headers()["x-content-type-options"], "nosniff");
    let index = index.text().await.unwrap();

    let spec: serde_json::Value = serde_json::from_str(hostadmin_api::SPEC_JSON).unwrap();
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op["operationId"].as_str() else { continue };
            assert!(index.contains(&format!("operations/{id}.html")), "the index links {id}");
            let page = t.http().get(format!("{}/docs/operations/{id}.html", t.url)).send().await.unwrap();
            assert_eq!(page.status().as_u16(), 200, "{id}");
            let html = page.text().await.unwrap();
            assert!(html.contains(&format!("class=\"method {method}\"")), "{id} shows its method");
        }
    }

    // The changelog, the spec files to download, and Try it switched on
    // (same origin) where the service serves the portal.
    let changelog = t.http().get(format!("{}/docs/changelog.html", t.url)).send().await.unwrap();
    assert_eq!(changelog.status().as_u16(), 200);
    assert!(changelog.text().await.unwrap().contains("id=\"v0.1.0\""));
    let yaml = t.http().get(format!("{}/docs/spec/openapi.yaml", t.url)).send().await.unwrap();
    assert!(yaml.headers()["content-type"].to_str().unwrap().starts_with("application/yaml"));
    let served = yaml.text().await.unwrap();
    assert_eq!(served, std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml")).unwrap());
    let config = t.http().get(format!("{}/docs/assets/try-it-config.js", t.url)).send().await.unwrap();
    let config = config.text().await.unwrap();
    assert!(config.contains("\"enabled\":true") && config.contains("\"base\":\"\""), "{config}");

    let css = t.http().get(format!("{}/docs/assets/style.css", t.url)).send().await.unwrap();
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let missing = t.http().get(format!("{}/docs/nope.html", t.url)).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let escape = t.http().get(format!("{}/docs/../openapi.json", t.url)).send().await.unwrap();
    assert_ne!(escape.status().as_u16(), 500);
}
