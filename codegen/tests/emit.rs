//! The emitted code: what the build writes into `OUT_DIR`, read as text.

mod common;

/// The API crate's code for the sample spec.
fn api() -> String {
    hostadmin_codegen::api_source(&common::spec()).expect("the sample spec generates")
}

/// Whether `code` contains `needle`, whatever the line breaks and indentation.
fn has(code: &str, needle: &str) -> bool {
    let dense = |s: &str| s.split_whitespace().collect::<String>();
    dense(code).contains(&dense(needle))
}

#[test]
fn the_trait_has_one_method_per_operation_with_typed_inputs() {
    let code = api();
    assert!(has(&code, "pub trait HostadminApi: ::dropshot::ServerContext + Sized"), "{code}");
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
fn a_refusal_fails_generation_too() {
    let mut spec = common::spec();
    spec["openapi"] = serde_json::json!("2.0");
    let error = hostadmin_codegen::api_source(&spec).unwrap_err();
    assert_eq!(error, hostadmin_codegen::Error::Version("2.0".into()));
}

#[test]
fn docs_and_samples_cover_every_operation() {
    let spec = common::spec();
    let docs = hostadmin_codegen::docs_source(&spec);
    for page in ["operations/thingList.html", "operations/login.html", "index.html", "assets/style.css"] {
        assert!(docs.contains(&format!("({page:?}, ")), "{page}");
    }
    let samples = hostadmin_codegen::client_samples_source(&spec);
    assert!(samples.contains("pub async fn sample_thingCreate("));
    assert!(samples.contains(".thing_delete()\n    .id(1)"), "{samples}");
    assert!(samples.contains("hostadmin_client::Client::new("), "login needs no session");
}
