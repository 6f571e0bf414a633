//! Every Rust request sample the docs portal shows compiles against this
//! client (they are generated from the spec as functions and built here),
//! and those whose example values can be met on a fresh server run against
//! one and must answer their documented success status.

mod common;

#[allow(dead_code)]
mod samples {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

/// The samples run, in this order: each one's example values exist by the
/// time it runs (the login examples' password is the test admin's; server
/// 1 is made by `server_create`).
const RUN: &[&str] = &[
    "openapi_document",
    "health_live",
    "health_ready",
    "login",
    "authentication",
    "server_create",
    "server_list",
    "server_get",
    "server_update",
    "audit_list",
    "manager_create",
    "manager_list",
    "domain_create",
    "domain_list",
    "delivery_domain_create",
    "delivery_domain_list",
    "delivery_account_list",
    "person_create",
    "people_list",
    "group_list",
    "authentication_logout",
];

/// The samples not run: their examples name objects by fixed codes and
/// GUIDs (`MN12345678`, `DD12345678`, `DV12345678`, `DA12345678`, person
/// `3f1d0a3c-...`, group and user `9924256a-...`) that the server generates
/// at random, so a fresh server cannot hold them.
const NOT_RUN: &[&str] = &[
    "server_delete",
    "manager_get",
    "manager_update",
    "manager_delete",
    "manager_activate",
    "manager_deactivate",
    "manager_assign_delivery",
    "domain_get",
    "domain_delete",
    "delivery_domain_get",
    "delivery_domain_delete",
    "delivery_account_create",
    "delivery_account_get",
    "delivery_account_delete",
    "person_get",
    "person_update",
    "person_delete",
    "group_create",
    "group_get",
    "group_update",
    "group_delete",
    "group_members_replace",
    "group_members_add",
    "group_members_remove",
    "group_members_move",
    "group_manager_set",
];

/// (operationId, documented success status) of every operation.
fn operations() -> Vec<(String, u16)> {
    let spec: serde_json::Value = serde_yaml::from_str(include_str!("../../spec/openapi.yaml")).unwrap();
    let mut out = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                let success = op["responses"].as_object().unwrap().keys().find(|k| k.starts_with('2')).unwrap();
                out.push((op["operationId"].as_str().unwrap().to_string(), success.parse().unwrap()));
            }
        }
    }
    out
}

#[test]
fn every_operation_has_a_compiled_sample() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/samples.rs"));
    let operations = operations();
    assert!(!operations.is_empty());
    for (id, _) in &operations {
        assert!(generated.contains(&format!("pub async fn sample_{id}(")), "no sample for {id}");
        // Every operation is either run or listed, with its reason, as not run.
        assert!(RUN.contains(&id.as_str()) != NOT_RUN.contains(&id.as_str()), "{id}: run it or say why not");
    }
    assert_eq!(RUN.len() + NOT_RUN.len(), operations.len());
}

#[tokio::test]
async fn the_samples_answer_their_documented_status() {
    let live = common::Live::start().await;
    let token = live.api_token();
    let documented: std::collections::HashMap<String, u16> = operations().into_iter().collect();
    let (user, password) = common::ADMIN;
    for id in RUN {
        let status =
            samples::run(id, &live.url, user, password, &token).await.unwrap_or_else(|e| panic!("sample {id}: {e}"));
        assert_eq!(status, documented[*id], "sample {id}");
    }
}
