//! The typed model the generator reads the spec into.

mod common;

use hostadmin_codegen::model::*;
use serde_json::json;

fn parsed() -> Spec {
    hostadmin_codegen::parse(&common::spec()).expect("the sample spec is accepted")
}

fn operation(id: &str) -> Operation {
    parsed().operations.into_iter().find(|o| o.id == id).unwrap()
}

#[test]
fn operations_in_path_then_method_order() {
    let ids: Vec<(&str, Method)> =
        parsed().operations.iter().map(|o| (o.id.clone().leak() as &str, o.method)).collect();
    assert_eq!(
        ids,
        [
            ("thingList", Method::Get),
            ("thingCreate", Method::Post),
            ("thingTouch", Method::Put),
            ("thingDelete", Method::Delete),
            ("login", Method::Post),
        ]
    );
    assert_eq!((Method::Delete.key(), Method::Delete.upper()), ("delete", "DELETE"));
}

#[test]
fn parameters_have_locations_types_and_defaults() {
    let list = operation("thingList");
    let limit = &list.params[0];
    assert_eq!(
        (limit.location, limit.ty, limit.required),
        (ParamLocation::Query, ParamType::Scalar(Scalar::Int64), false)
    );
    assert_eq!(limit.default, Some(json!(50)));
    let sort = &list.params[1];
    assert_eq!(sort.ty, ParamType::ArrayOf(Scalar::String));
    assert_eq!(sort.default, Some(json!(["name"])));
    assert_eq!(list.params[2].location, ParamLocation::Header);
    assert_eq!(list.params_in(ParamLocation::Query).count(), 2);

    // A path-level `$ref` parameter, resolved; path parameters are required.
    let id = &operation("thingDelete").params[0];
    assert_eq!((id.name.as_str(), id.location, id.required), ("ID", ParamLocation::Path, true));
    assert_eq!(id.ty, ParamType::Scalar(Scalar::Int64));
}

#[test]
fn bodies_know_their_media_type_and_read_only_fields() {
    let create = operation("thingCreate").body.unwrap();
    assert_eq!(
        create,
        RequestBody {
            media_type: MediaType::Json,
            component: "Thing".into(),
            read_only: vec!["ID".into()],
            schema: json!({"$ref": "#/components/schemas/Thing"}),
            example: None,
        }
    );
    let login = operation("login").body.unwrap();
    assert_eq!((login.media_type, login.read_only.len()), (MediaType::FormUrlEncoded, 0));
    assert_eq!(login.media_type.mime(), "application/x-www-form-urlencoded");
}

#[test]
fn success_responses_by_kind() {
    let list = operation("thingList").success;
    assert_eq!((list.kind, list.xml, list.headers, list.envelope), (ResponseKind::Ok, true, false, false));
    assert_eq!(operation("thingCreate").success.kind, ResponseKind::Created);
    assert_eq!(operation("thingDelete").success.kind, ResponseKind::Deleted);
    assert_eq!(operation("thingTouch").success.kind, ResponseKind::UpdatedNoContent);
    let login = operation("login").success;
    assert_eq!((login.kind, login.headers, login.envelope), (ResponseKind::Ok, true, true));
    assert_eq!(operation("thingCreate").error_schema, "Error");
}

#[test]
fn security_requirements() {
    assert_eq!(operation("thingList").security, SecurityRequirement::AnyOf(vec![vec!["session".into()]]));
    // `security: []`, and an alternative that needs nothing, are anonymous.
    assert_eq!(operation("login").security, SecurityRequirement::Anonymous);
    assert_eq!(operation("thingDelete").security, SecurityRequirement::Anonymous);
    assert_eq!(
        parsed().security_schemes,
        vec![SecurityScheme {
            name: "session".into(),
            location: KeyLocation::Cookie,
            key: "sid".into(),
            description: None
        }]
    );
}

#[test]
fn the_documents_security_applies_where_an_operation_says_none() {
    let mut spec = common::spec();
    common::op(&mut spec, "/things", "get").as_object_mut().unwrap().remove("security");
    spec["security"] = json!([{"session": []}]);
    let list = hostadmin_codegen::parse(&spec).unwrap().operations.remove(0);
    assert_eq!(list.security, SecurityRequirement::AnyOf(vec![vec!["session".into()]]));
}

#[test]
fn the_real_spec_parses() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml")).unwrap();
    let spec: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let model = hostadmin_codegen::parse(&spec).unwrap();
    assert!(model.operations.len() > 20, "{}", model.operations.len());
}

#[test]
fn every_response_is_kept_for_the_docs() {
    let create = operation("thingCreate");
    let statuses: Vec<u16> = create.responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [201, 400, 503]);
    assert_eq!(create.responses[0].description.as_deref(), Some("made"));
    let list = operation("thingList");
    let media: Vec<ResponseMediaType> = list.responses[0].content.iter().map(|m| m.media_type).collect();
    assert_eq!(media, [ResponseMediaType::Json, ResponseMediaType::Xml]);
    assert_eq!(ResponseMediaType::Xml.mime(), "text/xml");
    let login = operation("login");
    assert_eq!(login.responses[0].headers, vec![("Set-Cookie".to_string(), None)]);
    assert!(operation("thingDelete").responses[0].content.is_empty());
}

#[test]
fn examples_front_matter_and_tags() {
    let mut spec = common::spec();
    spec["info"]["description"] = json!("About.");
    spec["tags"] = json!([{"name": "things", "description": "Things."}, {"description": "no name: skipped"}]);
    spec["servers"] = json!([{"url": "https://api.example"}]);
    spec["components"]["examples"] = json!({"aThing": {"value": {"name": "a"}}});
    common::op(&mut spec, "/things", "post")["requestBody"]["content"]["application/json"]["examples"] =
        json!({"one": {"$ref": "#/components/examples/aThing"}, "two": {"value": {"name": "b"}}});
    common::op(&mut spec, "/things", "get")["parameters"][0]["example"] = json!(7);
    common::op(&mut spec, "/things", "get")["responses"]["200"]["content"]["application/json"]["example"] =
        json!({"name": "listed"});
    let model = hostadmin_codegen::parse(&spec).unwrap();
    assert_eq!(
        model.info,
        Info { title: Some("tiny".into()), version: Some("1".into()), description: Some("About.".into()) }
    );
    assert_eq!(model.tags, vec![Tag { name: "things".into(), description: Some("Things.".into()) }]);
    assert_eq!(model.server_url.as_deref(), Some("https://api.example"));
    let create = model.operations.iter().find(|o| o.id == "thingCreate").unwrap();
    assert_eq!(create.body.as_ref().unwrap().example, Some(json!({"name": "a"})), "the first example, resolved");
    let list = &model.operations[0];
    assert_eq!(list.params[0].example, Some(json!(7)));
    assert_eq!(list.responses[0].content[0].example, Some(json!({"name": "listed"})));
    assert_eq!(list.first_tag(), "things");
    assert_eq!(create.first_tag(), "other");
    assert_eq!(list.sample_schemes(), ["session".to_string()]);
    assert!(operation("thingDelete").sample_schemes().is_empty(), "anonymous callers are accepted");
}

#[test]
fn explode_false_arrays_are_delimited() {
    let mut spec = common::spec();
    let sort = spec["paths"]["/things"]["get"]["parameters"][1].as_object_mut().unwrap();
    sort.insert("style".into(), json!("form"));
    sort.insert("explode".into(), json!(false));
    let model = hostadmin_codegen::parse(&spec).unwrap();
    let list = model.operations.iter().find(|o| o.id == "thingList").unwrap();
    assert_eq!(list.params[1].ty, ParamType::Delimited(Scalar::String));
    // `explode: false` on a scalar changes nothing.
    let mut spec = common::spec();
    spec["paths"]["/things"]["get"]["parameters"][0]["explode"] = json!(false);
    let model = hostadmin_codegen::parse(&spec).unwrap();
    let list = model.operations.iter().find(|o| o.id == "thingList").unwrap();
    assert_eq!(list.params[0].ty, ParamType::Scalar(Scalar::Int64));
}
