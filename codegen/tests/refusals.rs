//! Every refusal of the generator, with its message: a spec it cannot
//! express fails the build naming the operation and the JSON pointer.

mod common;

use common::op;
use serde_json::{json, Value};

/// The message the generator refuses `spec` with.
fn refusal(spec: &Value) -> String {
    match hostadmin_codegen::parse(spec) {
        Ok(_) => panic!("the spec was accepted"),
        Err(e) => e.to_string(),
    }
}

/// The sample spec changed by `change`, refused with `message`.
fn refused(change: impl FnOnce(&mut Value), message: &str) {
    let mut spec = common::spec();
    change(&mut spec);
    assert_eq!(refusal(&spec), message);
}

const LIST: &str = "/paths/~1things/get";
const CREATE: &str = "/paths/~1things/post";

fn json_response(schema: &str) -> Value {
    json!({"description": "x", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

#[test]
fn two_success_types() {
    refused(
        |s| op(s, "/things", "post")["responses"]["200"] = json_response("Thing"),
        &format!(
            "operation thingCreate: exactly one success response is supported (Progenitor takes no more), found 2 (at {CREATE}/responses)"
        ),
    );
}

#[test]
fn two_error_schemas() {
    refused(
        |s| op(s, "/things", "post")["responses"]["503"] = json_response("Thing"),
        &format!(
            "operation thingCreate: all error responses must share one schema, found {{\"Error\", \"Thing\"}} (at {CREATE}/responses)"
        ),
    );
}

#[test]
fn an_error_response_without_a_component_schema() {
    refused(
        |s| op(s, "/things", "post")["responses"]["503"] = json!({"description": "down"}),
        &format!("operation thingCreate: error response 503 needs a component schema (at {CREATE}/responses/503)"),
    );
}

#[test]
fn an_unknown_request_media_type() {
    refused(
        |s| {
            op(s, "/things", "post")["requestBody"]["content"] =
                json!({"application/xml": {"schema": {"$ref": "#/components/schemas/Thing"}}})
        },
        &format!(
            "operation thingCreate: unsupported request media type application/xml (at {CREATE}/requestBody/content/application~1xml)"
        ),
    );
}

#[test]
fn two_request_media_types() {
    refused(
        |s| {
            op(s, "/things", "post")["requestBody"]["content"]["application/x-www-form-urlencoded"] =
                json!({"schema": {"$ref": "#/components/schemas/Login"}})
        },
        &format!(
            "operation thingCreate: a request body must have exactly one media type (at {CREATE}/requestBody/content)"
        ),
    );
}

#[test]
fn an_unknown_response_media_type() {
    refused(
        |s| op(s, "/things", "get")["responses"]["200"]["content"]["text/csv"] = json!({"schema": {"type": "string"}}),
        &format!(
            "operation thingList: response 200: unsupported media type text/csv (at {LIST}/responses/200/content)"
        ),
    );
}

#[test]
fn a_response_without_json() {
    refused(
        |s| {
            let content = op(s, "/things", "get")["responses"]["200"]["content"].as_object_mut().unwrap();
            content.remove("application/json");
        },
        &format!("operation thingList: response 200 has no application/json (at {LIST}/responses/200)"),
    );
}

#[test]
fn missing_security() {
    refused(
        |s| {
            op(s, "/things", "get").as_object_mut().unwrap().remove("security");
        },
        &format!("operation thingList: no security requirement (write `security: []` for none) (at {LIST})"),
    );
}

#[test]
fn security_that_is_not_a_list() {
    refused(
        |s| op(s, "/things", "get")["security"] = json!({"session": []}),
        &format!("operation thingList: security must be a list (at {LIST}/security)"),
    );
}

#[test]
fn an_unknown_security_scheme() {
    refused(
        |s| op(s, "/things", "get")["security"] = json!([{"token": []}]),
        &format!("operation thingList: unknown security scheme token (at {LIST}/security)"),
    );
}

#[test]
fn an_unknown_scheme_in_the_documents_security() {
    refused(
        |s| {
            op(s, "/things", "get").as_object_mut().unwrap().remove("security");
            s["security"] = json!([{"token": []}]);
        },
        "operation thingList: unknown security scheme token (at /security)",
    );
}

#[test]
fn operation_ids_that_collide_with_trait_methods() {
    for taken in ["authenticate", "check_body", "observe"] {
        refused(
            |s| op(s, "/things", "get")["operationId"] = json!(taken),
            &format!(
                "operation {taken}: this operationId is taken by a method of the HostadminApi trait (at {LIST}/operationId)"
            ),
        );
    }
}

#[test]
fn an_operation_id_used_twice() {
    refused(
        |s| op(s, "/things", "post")["operationId"] = json!("thingList"),
        &format!("operation thingList: operationId \"thingList\" is used twice (at {CREATE}/operationId)"),
    );
}

#[test]
fn no_operation_id() {
    refused(
        |s| {
            op(s, "/things", "get").as_object_mut().unwrap().remove("operationId");
        },
        &format!("GET /things: no operationId (at {LIST})"),
    );
}

#[test]
fn a_cookie_parameter() {
    refused(
        |s| op(s, "/things", "get")["parameters"][0]["in"] = json!("cookie"),
        &format!(
            "operation thingList: cookie parameters are not supported; use a security scheme (at {LIST}/parameters/0)"
        ),
    );
}

#[test]
fn a_parameter_location_openapi_does_not_have() {
    refused(
        |s| op(s, "/things", "get")["parameters"][0]["in"] = json!("body"),
        &format!("operation thingList: parameter location \"body\" is not supported (at {LIST}/parameters/0)"),
    );
}

#[test]
fn a_parameter_without_name_or_schema() {
    refused(
        |s| {
            op(s, "/things", "get")["parameters"][0].as_object_mut().unwrap().remove("name");
        },
        &format!("operation thingList: parameter without name (at {LIST}/parameters/0)"),
    );
    refused(
        |s| {
            op(s, "/things", "get")["parameters"][0].as_object_mut().unwrap().remove("schema");
        },
        &format!("operation thingList: parameter limit has no schema (at {LIST}/parameters/0)"),
    );
}

#[test]
fn parameter_types_the_runtime_cannot_convert() {
    refused(
        |s| op(s, "/things", "get")["parameters"][0]["schema"] = json!({"type": "object"}),
        &format!(
            "operation thingList: parameter limit: unsupported parameter type Some(\"object\") (at {LIST}/parameters/0/schema)"
        ),
    );
    refused(
        |s| op(s, "/things", "get")["parameters"][1]["schema"] = json!({"type": "array"}),
        &format!("operation thingList: parameter sort: array parameter without items (at {LIST}/parameters/1/schema)"),
    );
    refused(
        |s| op(s, "/things", "get")["parameters"][0]["schema"]["default"] = json!({"a": 1}),
        &format!(
            "operation thingList: parameter limit: default must be a scalar or a list of scalars (at {LIST}/parameters/0/schema/default)"
        ),
    );
}

#[test]
fn a_dangling_parameter_reference() {
    refused(
        |s| s["paths"]["/things/{ID}"]["parameters"][0] = json!({"$ref": "#/components/parameters/Gone"}),
        "operation thingTouch: dangling $ref #/components/parameters/Gone (at /paths/~1things~1{ID}/parameters/0)",
    );
}

#[test]
fn request_bodies_that_are_not_named_components() {
    refused(
        |s| {
            op(s, "/things", "post")["requestBody"]["content"]["application/json"]["schema"] = json!({"type": "object"})
        },
        &format!(
            "operation thingCreate: request body schemas must be components ($ref), so they have names (at {CREATE}/requestBody/content/application~1json/schema)"
        ),
    );
    refused(
        |s| {
            op(s, "/things", "post")["requestBody"]["content"]["application/json"] = json!({});
        },
        &format!(
            "operation thingCreate: request body without schema (at {CREATE}/requestBody/content/application~1json)"
        ),
    );
    refused(
        |s| op(s, "/things", "post")["requestBody"] = json!({}),
        &format!("operation thingCreate: requestBody without content (at {CREATE}/requestBody)"),
    );
}

#[test]
fn a_form_field_that_is_not_text() {
    refused(
        |s| s["components"]["schemas"]["Login"]["properties"]["user"] = json!({"type": "integer"}),
        "operation login: form field user must be a string (at /paths/~1login/post/requestBody/content/application~1x-www-form-urlencoded/schema)",
    );
}

#[test]
fn responses_the_generator_cannot_express() {
    refused(
        |s| {
            op(s, "/things", "post").as_object_mut().unwrap().remove("responses");
        },
        &format!("operation thingCreate: no responses (at {CREATE})"),
    );
    refused(
        |s| {
            let responses = op(s, "/things", "post")["responses"].as_object_mut().unwrap();
            responses.insert("4XX".into(), json_response("Error"));
        },
        &format!("operation thingCreate: response 4XX: use explicit status codes (at {CREATE}/responses/4XX)"),
    );
    refused(
        |s| {
            let responses = op(s, "/things", "post")["responses"].as_object_mut().unwrap();
            let created = responses.remove("201").unwrap();
            responses.insert("206".into(), created);
        },
        &format!("operation thingCreate: unsupported success response 206 (at {CREATE}/responses/206)"),
    );
}

#[test]
fn security_schemes_other_than_api_keys() {
    refused(
        |s| s["components"]["securitySchemes"]["session"] = json!({"type": "http", "scheme": "bearer"}),
        "security scheme session: only apiKey schemes are supported (at /components/securitySchemes/session)",
    );
    refused(
        |s| s["components"]["securitySchemes"]["session"]["in"] = json!("body"),
        "security scheme session: apiKey location \"body\" is not header, cookie or query (at /components/securitySchemes/session)",
    );
    refused(
        |s| {
            s["components"]["securitySchemes"]["session"].as_object_mut().unwrap().remove("name");
        },
        "security scheme session: no `name` (at /components/securitySchemes/session)",
    );
}

#[test]
fn documents_that_are_not_openapi_3_0() {
    refused(|s| s["openapi"] = json!("3.1.0"), "openapi must be 3.0.x (Progenitor reads no other), found \"3.1.0\"");
    refused(
        |s| {
            s.as_object_mut().unwrap().remove("paths");
        },
        "the spec has no paths",
    );
}

#[test]
fn a_dangling_example_reference() {
    refused(
        |s| {
            op(s, "/things", "post")["requestBody"]["content"]["application/json"]["examples"] =
                json!({"one": {"$ref": "#/components/examples/missing"}})
        },
        &format!(
            "operation thingCreate: dangling $ref #/components/examples/missing (at {CREATE}/requestBody/content/application~1json/examples/one)"
        ),
    );
}
