//! The emitted code: what the build writes into `OUT_DIR`, read as text.

mod common;

/// The API crate's code for the sample spec.
fn api() -> String {
    hostadmin_codegen::api_source(&model(&common::spec())).expect("the sample spec generates")
}

fn model(spec: &serde_json::Value) -> hostadmin_codegen::Spec {
    hostadmin_codegen::parse(spec).expect("the spec is accepted")
}

/// The docs portal's file at `path`, as the build writes it (a Rust string
/// literal, so quotes are escaped).
fn docs_file(spec: &serde_json::Value, path: &str) -> String {
    let docs = hostadmin_codegen::docs_source(&model(spec), &Default::default());
    let start = docs.find(&format!("({path:?}, ")).unwrap_or_else(|| panic!("{path} is in the portal"));
    docs[start..].split("\n(").next().unwrap().to_string()
}

/// Whether `code` contains `needle`, whatever the line breaks and indentation.
fn has(code: &str, needle: &str) -> bool {
    let dense = |s: &str| s.split_whitespace().collect::<String>();
    dense(code).contains(&dense(needle))
}

#[test]
fn the_trait_has_one_method_per_operation_with_typed_inputs() {
    let code = api();
    assert!(has(&code, "pub trait HostadminApi: crate::wire::CrossOrigin + Sized"), "{code}");
    for method in ["fn thing_list(", "fn thing_create(", "fn thing_delete(", "fn thing_touch(", "fn login("] {
        assert_eq!(code.matches(method).count(), 3, "{method}: the trait, the endpoint and the adapter");
    }
    // A body with read-only fields arrives as `Claimed`, one without as itself.
    assert!(has(&code, "body: crate::wire::Claimed<Thing>"));
    assert!(has(&code, "body: Login,"));
    // The principal only where a requirement must be met.
    assert_eq!(code.matches("principal: Self::Principal").count(), 3, "list, create and touch");
}

#[test]
fn parameter_tables_carry_typed_defaults_and_translated_schemas() {
    let code = api();
    assert!(has(&code, "pub struct ThingListQuery"));
    assert!(has(&code, "pub struct ThingListHeaders"));
    assert!(has(&code, "pub struct ThingDeletePath"));
    assert!(has(&code, "default: Some(crate::wire::ParamDefault::Integer(50i64))"), "{code}");
    assert!(has(&code, "default:Some(crate::wire::ParamDefault::List(&[crate::wire::ParamDefault::String(\"name\")]"));
    assert!(has(&code, "ty: crate::wire::ParamType::ArrayOf(crate::wire::ScalarType::String)"));
    // Validators are compiled from schemas translated here; nothing at run
    // time translates or reads a default out of schema text.
    assert!(has(&code, "crate::wire::compile_translated(VALIDATION_COMPONENTS.get()"));
    assert!(!has(&code, "compile_validator"));
    assert!(!has(&code, "schema: \""));
    assert!(has(&code, r#"\"name\":{\"type\":[\"string\",\"null\"]}"#), "nullable translated");
}

#[test]
fn responses_become_dropshot_types() {
    let code = api();
    assert!(has(&code, "::dropshot::HttpResponseCreated<Thing>"));
    assert!(has(&code, "::dropshot::HttpResponseDeleted"));
    assert!(has(&code, "::dropshot::HttpResponseUpdatedNoContent"));
    assert!(has(&code, "crate::wire::WithHeaders<Envelope>"));
    assert!(has(&code, "crate::wire::Envelope::set_status_code(&mut out, 200u16)"));
    assert!(has(&code, "impl crate::wire::Envelope for Envelope"));
    // XML: negotiated, with an unpublished `.xml` twin for a literal path.
    assert!(has(&code, "crate::wire::Negotiated<::dropshot::HttpResponseOk<Thing>>"));
    assert!(has(&code, "async fn thing_list_xml("));
    assert!(has(&code, "path = \"/things.xml\""));
    assert!(has(&code, "content_type = \"application/x-www-form-urlencoded\""));
}

#[test]
fn security_schemes_and_requirements() {
    let code = api();
    assert!(has(&code, "pub enum SecurityScheme"));
    assert!(has(&code, "SecurityScheme::Session => crate::wire::KeyIn::Cookie"));
    assert!(has(&code, "const REQUIREMENT: &[&[SecurityScheme]] = &[&[SecurityScheme::Session]];"));
    assert!(has(&code, "pub enum Operation"));
}

#[test]
fn a_schema_typify_cannot_read_fails_generation_naming_it() {
    let mut spec = common::spec();
    spec["components"]["schemas"]["Odd"] = serde_json::json!({"type": 5});
    let error = hostadmin_codegen::api_source(&model(&spec)).unwrap_err();
    match error {
        hostadmin_codegen::Error::Schema { schema, pointer, .. } => {
            assert_eq!((schema.as_str(), pointer.as_str()), ("Odd", "/components/schemas/Odd"))
        }
        other => panic!("{other}"),
    }
}

#[test]
fn docs_and_samples_cover_every_operation() {
    let spec = common::spec();
    let docs = hostadmin_codegen::docs_source(&model(&spec), &Default::default());
    for page in ["operations/thingList.html", "operations/login.html", "index.html", "assets/style.css"] {
        assert!(docs.contains(&format!("({page:?}, ")), "{page}");
    }
    let samples = hostadmin_codegen::client_samples_source(&model(&spec));
    assert!(samples.contains("pub async fn sample_thingCreate("));
    assert!(samples.contains(".thing_delete()\n    .id(1)"), "{samples}");
    assert!(
        samples.contains("hostadmin_client::Client::builder(base)\n    .build()?;"),
        "login needs no session: {samples}"
    );
}

#[test]
fn docs_pages_show_the_parsed_operation() {
    let mut spec = common::spec();
    spec["info"]["description"] = serde_json::json!("All the `things`.");
    spec["tags"] = serde_json::json!([{"name": "things", "description": "Things, listed."}, {"name": "unused"}]);
    spec["servers"] = serde_json::json!([{"url": "https://api.example/"}]);
    spec["components"]["examples"] = serde_json::json!({"aThing": {"value": {"name": "shown"}}});
    common::op(&mut spec, "/things", "post")["requestBody"]["content"]["application/json"]["examples"] =
        serde_json::json!({"one": {"$ref": "#/components/examples/aThing"}});
    common::op(&mut spec, "/login", "post")["requestBody"]["content"]["application/x-www-form-urlencoded"]["example"] =
        serde_json::json!({"user": "ann"});

    let index = docs_file(&spec, "index.html");
    assert!(index.contains("<code>things</code>"), "the info description as prose: {index}");
    assert!(index.contains("<h2>things</h2><p>Things, listed.</p>"), "{index}");
    assert!(!index.contains("<h2>unused</h2>"), "a tag no operation uses is left out");
    assert!(index.contains("<h2>other</h2>"), "untagged operations are filed under other");

    let create = docs_file(&spec, "operations/thingCreate.html");
    assert!(create.contains("Media type <code>application/json</code>"), "{create}");
    assert!(create.contains("&quot;shown&quot;"), "the referenced example: {create}");
    assert!(create.contains("curl --request POST"), "{create}");
    assert!(create.contains("https://api.example/things"), "the first server is the samples' base: {create}");
    assert!(create.contains("--cookie 'sid=&lt;sid&gt;'"), "the session cookie: {create}");
    assert!(create.contains("<span class=\\\"status ok\\\">201</span>"), "{create}");
    assert!(create.contains("<span class=\\\"status err\\\">503</span>"), "{create}");

    // An operation that accepts anonymous callers is open, and its samples
    // send no credential.
    let delete = docs_file(&spec, "operations/thingDelete.html");
    assert!(delete.contains("None: this operation is open."), "{delete}");
    assert!(!delete.contains("--cookie"), "{delete}");
    assert!(delete.contains("hostadmin_client::Client::builder(") && !delete.contains(".login("), "{delete}");

    let list = docs_file(&spec, "operations/thingList.html");
    assert!(list.contains("<strong>session</strong>: cookie <code>sid</code>."), "{list}");
    assert!(list.contains("default <code>50</code>"), "{list}");
    assert!(list.contains("(repeat the parameter)"), "{list}");
    assert!(list.contains("Media type <code>text/xml</code>"), "{list}");
    assert!(list.contains("<h2>XML</h2>"), "how to ask for XML: {list}");
    assert!(list.contains("also answers at <code>/things.xml</code>"), "the .xml path: {list}");
    assert!(!create.contains("<h2>XML</h2>"), "only where XML is offered");
    let login = docs_file(&spec, "operations/login.html");
    assert!(login.contains("Header <code>Set-Cookie</code>"), "{login}");
    assert!(login.contains("--data-urlencode 'user=ann'"), "a form body: {login}");
}

#[test]
fn gets_have_head_twins_and_every_path_its_routing_endpoints() {
    let code = api();
    // HEAD on the GET and on its `.xml` twin, unpublished, calling the GET.
    assert!(has(&code, r#"#[endpoint { method = HEAD, path = "/things", unpublished = true }]"#), "{code}");
    assert!(has(&code, r#"#[endpoint { method = HEAD, path = "/things.xml", unpublished = true }]"#));
    assert!(has(&code, "<Self as Wire>::thing_list(rqctx"));
    assert!(has(&code, "<Self as Wire>::thing_list_xml(rqctx"));
    // The methods a path lacks answer 405 with the ones it has; OPTIONS everywhere.
    assert!(has(
        &code,
        r#"crate::wire::fallback_endpoint::<S, Error>(::http::Method::PATCH, "/things", crate::wire::Fallback::NotAllowed("GET, HEAD, OPTIONS, POST"), true)"#
    ));
    assert!(has(
        &code,
        r#"crate::wire::fallback_endpoint::<S, Error>(::http::Method::OPTIONS, "/things/{ID}", crate::wire::Fallback::Options("DELETE, OPTIONS, PUT"), false)"#
    ));
    assert!(!has(&code, r#"::http::Method::GET, "/things", crate::wire::Fallback"#), "GET /things is an operation");
    // The request headers a CORS preflight may be granted, from the spec.
    assert!(has(&code, r#"pub const REQUEST_HEADERS: &[&str] = &["accept", "content-type", "x-trace"];"#), "{code}");
}

/// The portal's files with a history of releases, by path.
fn portal_with(spec: &serde_json::Value, releases: &[(&str, serde_json::Value)]) -> Vec<(String, String)> {
    use hostadmin_codegen::{diff::Version, docs};
    let history = docs::History {
        current_source: "openapi: 3.0.3\n".into(),
        releases: releases
            .iter()
            .map(|(v, d)| docs::Release {
                version: Version::parse(v).unwrap(),
                source: format!("version {v}"),
                document: d.clone(),
            })
            .collect(),
    };
    docs::portal(&model(spec), &history)
}

fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
    &files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path} is in the portal")).1
}

#[test]
fn the_changelog_lists_breaking_changes_first_and_pages_say_since_when() {
    let current = common::spec();
    let mut first = current.clone();
    first["info"]["version"] = "1.0.0".into();
    first["paths"].as_object_mut().unwrap().remove("/login");
    let mut second = current.clone();
    second["info"]["version"] = "2.0.0".into();
    // 2.0.0 made a parameter of thingList required: breaking against 1.0.0.
    common::op(&mut second, "/things", "get")["parameters"][0]["required"] = true.into();
    let files = portal_with(&second, &[("1.0.0", first.clone()), ("2.0.0", second.clone())]);
    let changelog = file(&files, "changelog.html");
    let entry = &changelog[changelog.find("id=\"v2.0.0\"").expect("a 2.0.0 entry")
        ..changelog.find("id=\"v1.0.0\"").expect("a 1.0.0 entry")];
    let breaking = entry.find("Breaking changes").expect("breaking changes listed");
    let compatible = entry.find("Compatible changes").expect("compatible changes listed");
    assert!(breaking < compatible, "breaking first: {entry}");
    assert!(entry.contains("operation added"), "{entry}");
    assert!(entry.contains("became required"), "{entry}");
    assert!(entry.contains("<a href=\"spec/released/2.0.0.yaml\" download>"), "{entry}");
    assert!(changelog.contains("The first version"), "{changelog}");
    assert!(!changelog.contains("id=\"unreleased\""), "the current spec is 2.0.0's: nothing unreleased");
    assert_eq!(file(&files, "spec/released/1.0.0.yaml"), "version 1.0.0");
    assert_eq!(file(&files, "spec/openapi.yaml"), "openapi: 3.0.3\n");
    // Since: the first of the unbroken run of releases that has it.
    assert!(file(&files, "operations/thingList.html")
        .contains("Since version <a href=\"../changelog.html#v1.0.0\">1.0.0</a>"));
    assert!(
        file(&files, "operations/login.html").contains("Since version <a href=\"../changelog.html#v2.0.0\">2.0.0</a>")
    );
    // An operation no release has is new.
    let files = portal_with(&current, &[("1.0.0", first)]);
    assert!(file(&files, "operations/login.html").contains("not in a released version yet"));
    assert!(file(&files, "changelog.html").contains("id=\"unreleased\""));
}

#[test]
fn try_it_is_a_form_per_operation_switched_on_by_its_config() {
    let files = portal_with(&common::spec(), &[]);
    let list = file(&files, "operations/thingList.html");
    let section = &list[list.find("<section class=\"try-it\"").expect("a Try it section")..];
    assert!(
        section.starts_with("<section class=\"try-it\" id=\"try-it\" hidden data-method=\"GET\" data-path=\"/things\""),
        "hidden until switched on: {section}"
    );
    assert!(section.contains("data-kind=\"session\""), "a session login for a cookie scheme: {section}");
    assert!(section.contains("class=\"try-param\" data-in=\"query\""), "{section}");
    let create = file(&files, "operations/thingCreate.html");
    assert!(create.contains("<textarea id=\"try-body\""), "a body field: {create}");
    assert!(
        !list.contains("<script>") && list.contains("<script src=\"../assets/try-it.js\"></script>"),
        "same-origin script files only"
    );
    assert_eq!(file(&files, "assets/try-it-config.js"), hostadmin_codegen::docs::try_it_config(Some("")));
    assert!(hostadmin_codegen::docs::try_it_config(None).contains("{\"enabled\":false}"));
    assert!(
        hostadmin_codegen::docs::try_it_config(Some("https://h.example/")).contains("\"base\":\"https://h.example\"")
    );
}
