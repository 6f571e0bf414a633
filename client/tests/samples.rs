//! Every Rust request sample the docs portal shows compiles against this
//! client (they are generated from the spec as functions and built here),
//! and every one runs against a live server and must answer its documented
//! success status.

mod common;

#[allow(dead_code)]
mod samples {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

/// Every sample, in an order in which each one's example values exist by
/// the time it runs: the login examples' password is the test admin's;
/// after a create, [`give_example_identifier`] gives the object made the
/// code or GUID the spec's examples name (the server draws them at random);
/// the deletes come last, the logout after them.
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
    "manager_get",
    "domain_create",
    "domain_list",
    "domain_get",
    "manager_update",
    "manager_deactivate",
    "manager_activate",
    "delivery_domain_create",
    "delivery_domain_list",
    "delivery_domain_get",
    "manager_assign_delivery",
    "delivery_account_create",
    "delivery_account_list",
    "delivery_account_get",
    "person_create",
    "people_list",
    "person_get",
    "person_update",
    "group_create",
    "group_list",
    "group_get",
    "group_update",
    "group_members_replace",
    "group_members_add",
    "group_manager_set",
    "group_members_move",
    "group_members_remove",
    "group_delete",
    "person_delete",
    "delivery_account_delete",
    "delivery_domain_delete",
    "domain_delete",
    "manager_delete",
    "server_delete",
    "authentication_logout",
];

/// The identifiers the spec's examples use.
const EXAMPLE_MANAGER: &str = "MN12345678";
const EXAMPLE_DOMAIN: &str = "DD12345678";
const EXAMPLE_DELIVERY_DOMAIN: &str = "DV12345678";
const EXAMPLE_DELIVERY_ACCOUNT: &str = "DA12345678";
const EXAMPLE_PERSON: &str = "3f1d0a3c-1b2d-4e5f-8a9b-0c1d2e3f4a5b";
const EXAMPLE_GROUP: &str = "9924256a-739c-462b-af15-e652a3b1b6eb";
/// Where `group_members_move` moves the members to.
const EXAMPLE_OTHER_GROUP: &str = "5a1e3c9d-2b4f-4c6a-8e0d-7f9b1a3c5e2d";

/// After the create sample `id` ran: the one object of its kind takes the
/// identifier the later samples' examples name.
async fn give_example_identifier(live: &common::Live, id: &str) {
    use diesel::prelude::*;
    use hostadmin_server::schema::{delivery_accounts, delivery_domains, domains, groups, managers, users};
    let mut conn = live.server.app_private().pool.get().unwrap();
    let renamed = match id {
        "manager_create" => diesel::update(managers::table).set(managers::code.eq(EXAMPLE_MANAGER)).execute(&mut conn),
        "domain_create" => diesel::update(domains::table).set(domains::code.eq(EXAMPLE_DOMAIN)).execute(&mut conn),
        "delivery_domain_create" => diesel::update(delivery_domains::table)
            .set(delivery_domains::code.eq(EXAMPLE_DELIVERY_DOMAIN))
            .execute(&mut conn),
        "delivery_account_create" => diesel::update(delivery_accounts::table)
            .set(delivery_accounts::code.eq(EXAMPLE_DELIVERY_ACCOUNT))
            .execute(&mut conn),
        "person_create" => {
            // The administrator's own profile is a person too: only the one
            // the sample made is renamed.
            diesel::update(users::table.filter(users::username.eq("mike.zanyatski")))
                .set(users::guid.eq(EXAMPLE_PERSON))
                .execute(&mut conn)
        }
        "group_create" => {
            diesel::update(groups::table).set(groups::guid.eq(EXAMPLE_GROUP)).execute(&mut conn).unwrap();
            // A second group, for `group_members_move` to move into.
            drop(conn);
            let created = live
                .client()
                .group_create()
                .body(hostadmin_client::types::GroupCreate {
                    group_name: "Other group".try_into().unwrap(),
                    group_manager: None,
                    members: vec![],
                })
                .send()
                .await
                .unwrap()
                .into_inner();
            let mut conn = live.server.app_private().pool.get().unwrap();
            diesel::update(groups::table.filter(groups::guid.eq(created.response.id.to_string())))
                .set(groups::guid.eq(EXAMPLE_OTHER_GROUP))
                .execute(&mut conn)
        }
        _ => return,
    };
    assert_eq!(renamed.unwrap(), 1, "after {id}: one object takes the example's identifier");
}

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
        assert!(RUN.contains(&id.as_str()), "{id}: its sample is not run");
    }
    assert_eq!(RUN.len(), operations.len());
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
        give_example_identifier(&live, id).await;
    }
}
