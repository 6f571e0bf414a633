//! The ONLYOFFICE surface's test client: a server with an administrator's
//! token and one hosting domain (`example.com`), calls that check the
//! envelope, and the JSON-against-XML comparison.

use reqwest::Method;
use serde_json::{json, Value};

use super::{TestServer, ADMIN};

pub struct Oo {
    pub t: TestServer,
    pub token: String,
    /// The code of the hosting domain `example.com`, on server `mail01`.
    pub domain: String,
}

impl Oo {
    pub async fn start() -> Self {
        let t = TestServer::start().await;
        let token = authenticate(&t, ADMIN.0, ADMIN.1).await;
        let server = t.add_server("mail01").await;
        let api_token = t.account_token(ADMIN.0);
        let (status, body) = {
            let r = t
                .api(Method::POST, "/api/domains", &api_token)
                .json(&json!({"name": "example.com", "server_id": server}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        };
        assert_eq!(status, 201);
        let domain = body["resource_code"].as_str().unwrap().to_string();
        Oo { t, token, domain }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.t.http().request(method, format!("{}{path}", self.t.url)).header("Authorization", &self.token)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}")))
    }

    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> Value {
        let (got, b) = self.call(method, path, body).await;
        assert_eq!(got, status, "{path}: {b}");
        assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(0), json!(status)), "the envelope");
        b["response"].clone()
    }

    /// A person `name@example.com` (so on the hosting domain), first name
    /// `NAME`, last name `Doe`, title `Staff`: its GUID.
    pub async fn person(&self, name: &str) -> String {
        let p = self
            .ok(
                Method::POST,
                "/api/2.0/people",
                Some(json!({
                    "isVisitor": false,
                    "email": format!("{name}@example.com"),
                    "firstname": name.to_uppercase(),
                    "lastname": "Doe",
                    "title": "Staff",
                })),
                201,
            )
            .await;
        p["Id"].as_str().unwrap().to_string()
    }

    pub async fn group(&self, name: &str, manager: Option<&str>, members: &[&str]) -> Value {
        let mut body = json!({"groupName": name, "members": members});
        if let Some(m) = manager {
            body["groupManager"] = json!(m);
        }
        self.ok(Method::POST, "/api/2.0/group", Some(body), 201).await
    }
}

pub async fn authenticate(t: &TestServer, user: &str, password: &str) -> String {
    let r = t
        .http()
        .post(format!("{}/api/2.0/authentication", t.url))
        .json(&json!({"userName": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(0), json!(200)));
    assert!(b["response"]["expires"].as_str().unwrap().ends_with('Z'));
    b["response"]["token"].as_str().unwrap().to_string()
}

pub fn ids(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list.as_array().unwrap().iter().map(|m| m["Id"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

pub fn error_message(b: &Value, status: u16) -> String {
    assert_eq!((b["status"].clone(), b["statusCode"].clone()), (json!(1), json!(status)), "{b}");
    b["error"]["message"].as_str().unwrap().to_string()
}

/// Whether an XML element says what a JSON value says: each field an
/// element, an array its element repeated (an empty one, which only a
/// required array can be in JSON, as one empty element), nothing more,
/// nothing less.
pub fn assert_xml_matches(node: roxmltree::Node<'_, '_>, value: &Value, at: &str) {
    match value {
        Value::Object(map) => {
            let children: Vec<_> = node.children().filter(|c| c.is_element()).collect();
            let expected: usize = map.values().map(|v| if let Value::Array(a) = v { a.len().max(1) } else { 1 }).sum();
            assert_eq!(children.len(), expected, "{at}: element count");
            for (key, v) in map {
                let named: Vec<_> = children.iter().filter(|c| c.tag_name().name() == key).collect();
                match v {
                    Value::Array(items) if items.is_empty() => {
                        assert_eq!(named.len(), 1, "{at}.{key}: an empty required array is one element");
                        assert!(named[0].children().next().is_none(), "{at}.{key}: and it is empty");
                    }
                    Value::Array(items) => {
                        assert_eq!(named.len(), items.len(), "{at}.{key}");
                        for (i, (n, item)) in named.iter().zip(items).enumerate() {
                            assert_xml_matches(**n, item, &format!("{at}.{key}[{i}]"));
                        }
                    }
                    _ => {
                        assert_eq!(named.len(), 1, "{at}.{key}");
                        assert_xml_matches(*named[0], v, &format!("{at}.{key}"));
                    }
                }
            }
        }
        Value::String(s) => assert_eq!(node.text().unwrap_or(""), s, "{at}"),
        Value::Null => assert!(node.children().next().is_none(), "{at}"),
        other => assert_eq!(node.text().unwrap_or(""), other.to_string(), "{at}"),
    }
}

/// The same request as JSON and as XML (by `Accept`): the XML parses, its
/// root is `<result>`, and it says what the JSON says, field by field.
pub async fn json_and_xml_agree(oo: &Oo, path: &str) -> Value {
    let json: Value = oo.request(Method::GET, path).send().await.unwrap().json().await.unwrap();
    let r = oo.request(Method::GET, path).header("Accept", "text/xml").send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/xml"));
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path}: not XML ({e}): {text}"));
    assert_eq!(doc.root_element().tag_name().name(), "result");
    assert_xml_matches(doc.root_element(), &json, path);
    json
}

/// The names of an element's child elements, in document order.
pub fn element_names(node: roxmltree::Node<'_, '_>) -> Vec<String> {
    node.children().filter(|c| c.is_element()).map(|c| c.tag_name().name().to_string()).collect()
}
