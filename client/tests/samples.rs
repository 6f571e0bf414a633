//! Every Rust request sample the docs portal shows compiles against this
//! client: they are generated from the spec as functions and built here.

#[allow(dead_code)]
mod samples {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

#[test]
fn every_operation_has_a_compiled_sample() {
    let spec: serde_json::Value = serde_yaml::from_str(include_str!("../../spec/openapi.yaml")).unwrap();
    let generated = include_str!(concat!(env!("OUT_DIR"), "/samples.rs"));
    let mut operations = 0;
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                operations += 1;
                let id = op["operationId"].as_str().unwrap();
                assert!(generated.contains(&format!("pub async fn sample_{id}(")), "no sample for {id}");
            }
        }
    }
    assert!(operations > 0);
    // Referencing one keeps the module from being dead code; all of them
    // were type-checked to get here.
    let _ = samples::sample_server_create;
}
