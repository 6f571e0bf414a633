//! The round-trip check (`hostadmin_api::roundtrip`): the generated
//! interface serves the spec, and a deliberate drift is caught.

use hostadmin_api::roundtrip::{compare, served, spec};

#[test]
fn the_generated_interface_serves_the_spec() {
    let diffs = compare(&spec(), &served());
    assert!(diffs.is_empty(), "the served document drifted from the spec:\n{}", diffs.join("\n"));
}

#[test]
fn drift_is_detected() {
    let served = served();

    // An operation added to the spec only.
    let mut with_operation = spec();
    with_operation["paths"]["/api/v1/extra"] = serde_json::json!({
        "get": {"operationId": "extra", "responses": {"200": {"description": "ok"}}}
    });
    let diffs = compare(&with_operation, &served);
    assert_eq!(diffs, ["GET /api/v1/extra: in the spec, not served"]);

    // A field added to a schema only.
    let mut with_field = spec();
    with_field["components"]["schemas"]["Server"]["properties"]["color"] = serde_json::json!({"type": "string"});
    let diffs = compare(&with_field, &served);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(diffs[0].starts_with("schema Server:"), "{diffs:?}");

    // A property that happens to be called `xml` is a property, not the
    // `xml` keyword the comparison leaves aside.
    let mut with_xml_property = spec();
    with_xml_property["components"]["schemas"]["Group"]["properties"]["xml"] = serde_json::json!({"type": "string"});
    let diffs = compare(&with_xml_property, &served);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(diffs[0].starts_with("schema Group:"), "{diffs:?}");

    // A parameter added to an operation only.
    let mut with_param = spec();
    with_param["paths"]["/api/v1/system/servers"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "color", "in": "query", "schema": {"type": "string"}}));
    let diffs = compare(&with_param, &served);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(diffs[0].contains("parameter query color"), "{diffs:?}");
}
