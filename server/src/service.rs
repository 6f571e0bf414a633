//! The implementation of the generated [`HostadminApi`] trait, and nothing
//! else: each method hands its call on to one function of the module that
//! owns it (see the crate's boundary rule in `lib.rs`). The shared state is
//! [`crate::context`]'s; credentials are [`crate::credentials`]'.

use std::time::Duration;

use dropshot::RequestContext;
use hostadmin_api::types::{AuditList, Health};
use hostadmin_api::types::{
    AuthEnvelope, AuthRequest, GroupCreate, GroupEnvelope, GroupListEnvelope, GroupManager, GroupMembers, GroupUpdate,
    LogoutEnvelope, PersonCreate, PersonEnvelope, PersonListEnvelope, PersonUpdate,
};
use hostadmin_api::types::{
    DeliveryAccount, DeliveryAccountCreate, DeliveryAccountList, DeliveryAssignment, DeliveryDomain,
    DeliveryDomainCreate, DeliveryDomainList, Domain, DomainCreate, DomainList, LoginForm, LoginResult, Manager,
    ManagerCreate, ManagerList, ManagerUpdate, Message, ResourceCreated, Server, ServerCreate, ServerList,
    ServerUpdate,
};
use hostadmin_api::wire::{Claimed, Problem, Violation, WithHeaders};
use hostadmin_api::{
    AuditListQuery, GroupDeletePath, GroupGetPath, GroupListQuery, GroupManagerSetPath, GroupMembersAddPath,
    GroupMembersMovePath, GroupMembersRemovePath, GroupMembersReplacePath, GroupUpdatePath, PeopleListQuery,
    PersonDeletePath, PersonGetPath, PersonGetQuery, PersonUpdatePath,
};
use hostadmin_api::{
    DeliveryAccountDeletePath, DeliveryAccountGetPath, DeliveryAccountListQuery, DeliveryDomainDeletePath,
    DeliveryDomainGetPath, DeliveryDomainListQuery, DomainDeletePath, DomainGetPath, DomainListQuery, HostadminApi,
    ManagerActivatePath, ManagerAssignDeliveryPath, ManagerDeactivatePath, ManagerDeletePath, ManagerGetPath,
    ManagerListQuery, ManagerUpdatePath, Operation, SecurityScheme, ServerDeletePath, ServerGetPath, ServerGetQuery,
    ServerListQuery, ServerUpdatePath,
};

use crate::accounts::Role;
use crate::auth::{Admin, Principal};
use crate::context::Service;
use crate::db;
use crate::{
    audit, credentials, delivery_accounts, delivery_domains, docs, domains, groups, health, managers, people, servers,
};

/// CORS, when origins are configured (`cors_origins`).
impl hostadmin_api::wire::CrossOrigin for Service {
    fn cors(&self) -> Option<&hostadmin_api::wire::CorsPolicy> {
        self.cors.as_ref()
    }
}

/// What the audit log records of this request.
fn entry(rqctx: &RequestContext<Service>, principal: &Principal) -> audit::Entry {
    let client = rqctx.context().throttle.client_address(&rqctx.request).to_string();
    audit::Entry::new(&rqctx.request, &rqctx.endpoint.operation_id, &rqctx.request_id, client, principal)
}

/// A write and its audit entry, in one transaction: the entry exists
/// exactly when the change does (see [`crate::audit`]).
async fn write<T, F>(rqctx: &RequestContext<Service>, entry: audit::Entry, f: F) -> Result<T, Problem>
where
    T: Send + 'static,
    F: FnOnce(&mut db::Conn) -> db::DbResult<T> + Send + 'static,
{
    let retention = rqctx.context().audit.clone();
    db::write(&rqctx.context().pool, move |conn| {
        let out = f(conn)?;
        audit::record(conn, &entry, &retention)?;
        Ok(out)
    })
    .await
}

impl HostadminApi for Service {
    type Principal = Principal;

    async fn authenticate(
        rqctx: &RequestContext<Self>,
        requirement: &'static [&'static [SecurityScheme]],
    ) -> Result<Principal, Problem> {
        credentials::authenticate(rqctx.context(), &rqctx.request, requirement).await
    }

    async fn openapi_document(_rqctx: &RequestContext<Self>) -> Result<hostadmin_api::types::OpenApiDocument, Problem> {
        docs::openapi_document()
    }

    async fn login(rqctx: &RequestContext<Self>, body: LoginForm) -> Result<WithHeaders<LoginResult>, Problem> {
        credentials::login(rqctx.context(), &rqctx.request, body).await
    }

    async fn audit_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: AuditListQuery,
    ) -> Result<AuditList, Problem> {
        db::run(&rqctx.context().pool, move |conn| audit::list(conn, &principal, query)).await
    }

    async fn server_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: ServerListQuery,
    ) -> Result<ServerList, Problem> {
        db::run(&rqctx.context().pool, move |conn| servers::list(conn, &principal, query)).await
    }

    async fn server_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: Claimed<ServerCreate>,
    ) -> Result<Server, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| servers::create(conn, &principal, body)).await
    }

    async fn server_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ServerGetPath,
        query: ServerGetQuery,
    ) -> Result<Server, Problem> {
        db::lookup(&rqctx.context().pool, move |conn| servers::get(conn, &principal, path, query)).await
    }

    async fn server_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ServerUpdatePath,
        body: Claimed<ServerUpdate>,
    ) -> Result<Server, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| servers::update(conn, &principal, path, body)).await
    }

    async fn server_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ServerDeletePath,
    ) -> Result<Message, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| servers::delete(conn, &principal, path)).await
    }

    async fn check_body(
        rqctx: &RequestContext<Self>,
        principal: Option<&Principal>,
        operation: Operation,
        body: &serde_json::Value,
    ) -> Result<Vec<Violation>, Problem> {
        // Every checked operation writes, and only an administrator may write
        // what these checks read about; for anyone else (a manager's token,
        // a readonly account) nothing is read before the operation answers
        // 403 or 404 itself, or a constraint of the write answers: a check
        // would tell a tenant that another's e-mail or domain exists.
        if !matches!(principal, Some(Principal::Admin(Admin { role: Role::Admin, .. }))) {
            return Ok(match operation {
                Operation::ManagerCreate | Operation::ManagerUpdate => managers::password_confirmation(body),
                _ => Vec::new(),
            });
        }
        let checker: fn(&mut crate::db::Conn, &serde_json::Value) -> crate::db::DbResult<Vec<Violation>> =
            match operation {
                Operation::ManagerCreate => |c, b| managers::check_body(c, b, true),
                Operation::ManagerUpdate => |c, b| managers::check_body(c, b, false),
                Operation::ManagerAssignDelivery => managers::check_assignment,
                Operation::DomainCreate => domains::check_create,
                Operation::DeliveryDomainCreate => delivery_domains::check_create,
                Operation::DeliveryAccountCreate => delivery_accounts::check_create,
                Operation::PersonCreate | Operation::PersonUpdate => people::check_body,
                Operation::GroupCreate
                | Operation::GroupUpdate
                | Operation::GroupMembersReplace
                | Operation::GroupMembersAdd
                | Operation::GroupMembersRemove
                | Operation::GroupManagerSet => groups::check_people,
                _ => return Ok(Vec::new()),
            };
        let body = body.clone();
        db::run(&rqctx.context().pool, move |conn| checker(conn, &body)).await
    }

    async fn manager_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: ManagerListQuery,
    ) -> Result<ManagerList, Problem> {
        db::run(&rqctx.context().pool, move |conn| managers::list(conn, &principal, query)).await
    }

    async fn manager_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: ManagerCreate,
    ) -> Result<ResourceCreated, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| managers::create(conn, &principal, body)).await
    }

    async fn manager_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerGetPath,
    ) -> Result<Manager, Problem> {
        db::run(&rqctx.context().pool, move |conn| managers::get(conn, &principal, path)).await
    }

    async fn manager_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerUpdatePath,
        body: ManagerUpdate,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| managers::update(conn, &principal, path, body)).await
    }

    async fn manager_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerDeletePath,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| managers::delete(conn, &principal, path)).await
    }

    async fn manager_activate(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerActivatePath,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| managers::activate(conn, &principal, path)).await
    }

    async fn manager_deactivate(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerDeactivatePath,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| managers::deactivate(conn, &principal, path)).await
    }

    async fn manager_assign_delivery(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: ManagerAssignDeliveryPath,
        body: DeliveryAssignment,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| managers::assign_delivery(conn, &principal, path, body))
            .await
    }

    async fn domain_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: DomainListQuery,
    ) -> Result<DomainList, Problem> {
        db::run(&rqctx.context().pool, move |conn| domains::list(conn, &principal, query)).await
    }

    async fn domain_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: DomainCreate,
    ) -> Result<ResourceCreated, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| domains::create(conn, &principal, body)).await
    }

    async fn domain_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DomainGetPath,
    ) -> Result<Domain, Problem> {
        db::run(&rqctx.context().pool, move |conn| domains::get(conn, &principal, path)).await
    }

    async fn domain_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DomainDeletePath,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| domains::delete(conn, &principal, path)).await
    }

    async fn delivery_domain_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: DeliveryDomainListQuery,
    ) -> Result<DeliveryDomainList, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_domains::list(conn, &principal, query)).await
    }

    async fn delivery_domain_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: DeliveryDomainCreate,
    ) -> Result<ResourceCreated, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| delivery_domains::create(conn, &principal, body)).await
    }

    async fn delivery_domain_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryDomainGetPath,
    ) -> Result<DeliveryDomain, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_domains::get(conn, &principal, path)).await
    }

    async fn delivery_domain_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryDomainDeletePath,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| delivery_domains::delete(conn, &principal, path)).await
    }

    async fn delivery_account_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: DeliveryAccountListQuery,
    ) -> Result<DeliveryAccountList, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_accounts::list(conn, &principal, query)).await
    }

    async fn delivery_account_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: DeliveryAccountCreate,
    ) -> Result<ResourceCreated, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| delivery_accounts::create(conn, &principal, body)).await
    }

    async fn delivery_account_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryAccountGetPath,
    ) -> Result<DeliveryAccount, Problem> {
        db::run(&rqctx.context().pool, move |conn| delivery_accounts::get(conn, &principal, path)).await
    }

    async fn delivery_account_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: DeliveryAccountDeletePath,
    ) -> Result<(), Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| delivery_accounts::delete(conn, &principal, path)).await
    }

    async fn authentication(rqctx: &RequestContext<Self>, body: AuthRequest) -> Result<AuthEnvelope, Problem> {
        credentials::authentication(rqctx.context(), &rqctx.request, body).await
    }

    async fn authentication_logout(
        rqctx: &RequestContext<Self>,
        principal: Principal,
    ) -> Result<LogoutEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| credentials::logout(conn, &principal)).await
    }

    async fn people_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: PeopleListQuery,
    ) -> Result<PersonListEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| people::list(conn, &principal, query)).await
    }

    async fn person_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: PersonCreate,
    ) -> Result<PersonEnvelope, Problem> {
        // The hash is made before the write begins, so that the writer is
        // not held for it (and only for a caller allowed to write).
        principal.require_admin()?;
        let hash = match body.password.as_ref() {
            Some(password) => {
                let password = password.to_string();
                let hashed = tokio::task::spawn_blocking(move || crate::passwords::hash(&password)).await;
                Some(hashed.map_err(|_| Problem::Internal("hashing the password failed".into()))?)
            }
            None => None,
        };
        write(rqctx, entry(rqctx, &principal), move |conn| people::create(conn, &principal, body, hash)).await
    }

    async fn person_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: PersonGetPath,
        query: PersonGetQuery,
    ) -> Result<PersonEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| people::get(conn, &principal, path, query.email)).await
    }

    async fn person_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: PersonUpdatePath,
        body: PersonUpdate,
    ) -> Result<PersonEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| people::update(conn, &principal, path, body)).await
    }

    async fn person_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: PersonDeletePath,
    ) -> Result<PersonEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| people::delete(conn, &principal, path)).await
    }

    async fn group_list(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        query: GroupListQuery,
    ) -> Result<GroupListEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| groups::list(conn, &principal, query)).await
    }

    async fn group_create(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        body: GroupCreate,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::create(conn, &principal, body)).await
    }

    async fn group_get(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupGetPath,
    ) -> Result<GroupEnvelope, Problem> {
        db::run(&rqctx.context().pool, move |conn| groups::get(conn, &principal, path)).await
    }

    async fn group_update(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupUpdatePath,
        body: GroupUpdate,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::update(conn, &principal, path, body)).await
    }

    async fn group_delete(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupDeletePath,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::delete(conn, &principal, path)).await
    }

    async fn group_members_replace(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersReplacePath,
        body: GroupMembers,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::replace_members(conn, &principal, path, body)).await
    }

    async fn group_members_add(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersAddPath,
        body: GroupMembers,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::add_members(conn, &principal, path, body)).await
    }

    async fn group_members_remove(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersRemovePath,
        body: GroupMembers,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::remove_members(conn, &principal, path, body)).await
    }

    async fn group_members_move(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupMembersMovePath,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::move_members(conn, &principal, path)).await
    }

    async fn group_manager_set(
        rqctx: &RequestContext<Self>,
        principal: Principal,
        path: GroupManagerSetPath,
        body: GroupManager,
    ) -> Result<GroupEnvelope, Problem> {
        write(rqctx, entry(rqctx, &principal), move |conn| groups::set_manager(conn, &principal, path, body)).await
    }

    fn observe(rqctx: &RequestContext<Self>, operation: Operation, status: u16, elapsed: Duration) {
        if let Some(m) = &rqctx.context().metrics {
            m.observe(operation, status, elapsed);
        }
    }

    async fn health_live(_rqctx: &RequestContext<Self>) -> Result<Health, Problem> {
        Ok(health::live())
    }

    async fn health_ready(rqctx: &RequestContext<Self>) -> Result<Health, Problem> {
        health::ready(&rqctx.context().pool).await
    }
}
