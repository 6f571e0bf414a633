"""Drives every operation of spec/openapi.yaml through the Python client that
openapi-generator (`-g python`) makes from it, untouched, against a live
hostadmin: `cargo xtask compat` generates the client (package
`hostadmin_compat`, on PYTHONPATH), starts the server and runs this.

Environment: HOSTADMIN_URL, HOSTADMIN_USER, HOSTADMIN_PASSWORD (an admin
account), HOSTADMIN_API_TOKEN (its platform token, made with the CLI),
HOSTADMIN_READONLY_USER, HOSTADMIN_READONLY_PASSWORD and
HOSTADMIN_READONLY_API_TOKEN (a `readonly` account, for the 403s),
COMPAT_RUN (a counter: names are unique per run), COMPAT_CALLED (a file to
write the called operations to, one per line: xtask fails when one of the
spec's is missing).

Errors are checked as the client surfaces them: its typed exception
(BadRequestException, UnauthorizedException, ForbiddenException,
NotFoundException, UnprocessableEntityException) with the status and the body deserialized
into the surface's error model.
"""

import os
import sys

from hostadmin_compat import ApiClient, Configuration
from hostadmin_compat.api import (
    AuthApi,
    DeliveryApi,
    GroupsApi,
    HostingApi,
    ManagersApi,
    MetaApi,
    PeopleApi,
    SystemApi,
)
from hostadmin_compat.exceptions import (
    ApiException,
    BadRequestException,
    ForbiddenException,
    NotFoundException,
    UnauthorizedException,
    UnprocessableEntityException,
)
from hostadmin_compat.models import (
    AuthRequest,
    Contact,
    DeliveryAccountCreate,
    DeliveryAssignment,
    DeliveryDomainCreate,
    DomainCreate,
    GroupCreate,
    GroupManager,
    GroupMembers,
    GroupUpdate,
    ManagerCreate,
    ManagersError,
    ManagerUpdate,
    OnlyofficeError,
    PersonCreate,
    PersonUpdate,
    ServerCreate,
    ServerUpdate,
    SystemError,
)

URL = os.environ["HOSTADMIN_URL"]
USER = os.environ["HOSTADMIN_USER"]
PASSWORD = os.environ["HOSTADMIN_PASSWORD"]
API_TOKEN = os.environ["HOSTADMIN_API_TOKEN"]
# A `readonly` account and its API token: writes answer 403.
READONLY_USER = os.environ["HOSTADMIN_READONLY_USER"]
READONLY_PASSWORD = os.environ["HOSTADMIN_READONLY_PASSWORD"]
READONLY_API_TOKEN = os.environ["HOSTADMIN_READONLY_API_TOKEN"]
RUN = int(os.environ["COMPAT_RUN"])
# Every request is bounded; xtask bounds the whole run too.
TIMEOUT = 15.0

# Names unique per run, from the run counter: no randomness.
TAG = f"c{RUN}py"
DOMAIN = f"{TAG}.example.com"
UNKNOWN_GUID = "00000000-0000-4000-8000-000000000001"

CALLED = set()


class Recorded:
    """An API object of the generated client whose operations are recorded
    (for the coverage check) and bounded in time."""

    def __init__(self, api):
        self._api = api

    def __getattr__(self, name):
        method = getattr(self._api, name)

        def call(*args, **kwargs):
            CALLED.add(name)
            kwargs.setdefault("_request_timeout", TIMEOUT)
            return method(*args, **kwargs)

        return call


class Client:
    """The generated client's APIs, all sharing one configuration."""

    def __init__(self, **api_key):
        api = ApiClient(Configuration(host=URL, api_key=api_key))
        self.meta = Recorded(MetaApi(api))
        self.auth = Recorded(AuthApi(api))
        self.system = Recorded(SystemApi(api))
        self.managers = Recorded(ManagersApi(api))
        self.hosting = Recorded(HostingApi(api))
        self.delivery = Recorded(DeliveryApi(api))
        self.people = Recorded(PeopleApi(api))
        self.groups = Recorded(GroupsApi(api))


def check(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def ok(op, detail=""):
    print(f"  ok {op} {detail}".rstrip())


def fails(exception, status, model, call, *args, **kwargs):
    """Calls an operation that must fail: the client raises `exception` with
    `status`, and the body it read is the surface's error `model`."""
    try:
        answer = call(*args, **kwargs)
    except ApiException as e:
        if type(e) is not exception:
            raise AssertionError(f"expected {exception.__name__} ({status}), got {type(e).__name__}: {e}") from e
        check(e.status, status, "status")
        if not isinstance(e.data, model):
            raise AssertionError(f"the {status} body is not a {model.__name__}: {e.body!r}")
        return e.data
    raise AssertionError(f"expected {exception.__name__} ({status}), got an answer: {answer!r}")


def oo_error(data, status):
    """The ONLYOFFICE error envelope: status 1, the HTTP status, a message."""
    check(data.status, 1, "error envelope status")
    check(data.status_code, status, "error envelope statusCode")
    if not data.error.message:
        raise AssertionError("the error envelope has no message")


def members(group):
    return sorted(m.id for m in group.members)


def main():
    anonymous = Client()

    # --- meta -------------------------------------------------------------
    check(anonymous.meta.health_live().status, "ok", "healthz")
    check(anonymous.meta.health_ready().status, "ok", "readyz")
    document = anonymous.meta.openapi_document()
    check(document["openapi"], "3.0.3", "the served document's version")
    ok("meta", "healthz, readyz, openapi.json")

    # --- system servers (grommunio) ----------------------------------------
    e = fails(UnauthorizedException, 401, SystemError, anonymous.auth.login, user=f"nobody-{TAG}", var_pass="wrong-password-1")
    check(e.message, "Access denied", "a failed login's message")
    login = anonymous.auth.login(user=USER, var_pass=PASSWORD)
    if not login.grommunio_auth_jwt or not login.csrf:
        raise AssertionError(f"login answered {login!r}")
    system = Client(grommunioJwt=login.grommunio_auth_jwt, csrfToken=login.csrf)
    ok("login")

    hostname, extname = f"{TAG}-mail01", f"mail01.{DOMAIN}"
    server = system.system.server_create(ServerCreate(hostname=hostname, extname=extname))
    check((server.hostname, server.extname, server.users, server.domains), (hostname, extname, 0, 0), "server created")
    sid = server.id
    e = fails(UnauthorizedException, 401, SystemError, anonymous.system.server_list)
    check(e.message, "Access denied", "401 message")
    if not e.error:
        raise AssertionError("a 401 says why in `error`")
    # A write without the CSRF header.
    no_csrf = Client(grommunioJwt=login.grommunio_auth_jwt)
    fails(UnauthorizedException, 401, SystemError, no_csrf.system.server_create, ServerCreate(hostname=f"{TAG}-x", extname=f"x.{DOMAIN}"))
    # A body the spec refuses (built without the client's own validation):
    # every problem listed in `errors`.
    invalid = ServerCreate.model_construct(hostname="", extname="")
    e = fails(BadRequestException, 400, SystemError, system.system.server_create, invalid)
    if not e.errors or not any("hostname" in line for line in e.errors) or not any("extname" in line for line in e.errors):
        raise AssertionError(f"a 400 lists every problem: {e!r}")
    # A constraint: the hostname is taken.
    e = fails(BadRequestException, 400, SystemError, system.system.server_create, ServerCreate(hostname=hostname, extname=f"other.{DOMAIN}"))
    if not e.error:
        raise AssertionError(f"a duplicate says why in `error`: {e!r}")
    listed = system.system.server_list(match=TAG, sort=["hostname,desc"], level=2, limit=10)
    check([s.id for s in listed.data], [sid], "servers matching the run's tag")
    check(listed.count, 1, "server count")
    check(listed.data[0].users, 0, "level 2 has the counts")
    check(system.system.server_get(id=sid).extname, extname, "server_get")
    e = fails(NotFoundException, 404, SystemError, system.system.server_get, id=sid + 1000000)
    if not e.message:
        raise AssertionError("a 404 has a message")
    level0 = system.system.server_list(hostname=hostname, level=0)
    check((level0.count, level0.data[0].id, level0.data[0].extname, level0.data[0].users), (1, sid, None, None), "level 0 is ID and hostname")
    check(system.system.server_list(match=TAG, match_fields=["extname"], offset=1).data, [], "offset past the matches")
    reader_login = anonymous.auth.login(user=READONLY_USER, var_pass=READONLY_PASSWORD)
    reader = Client(grommunioJwt=reader_login.grommunio_auth_jwt, csrfToken=reader_login.csrf)
    check(reader.system.server_get(id=sid).id, sid, "a readonly account reads")
    e = fails(ForbiddenException, 403, SystemError, reader.system.server_update, sid, ServerUpdate(hostname=f"{TAG}-ro"))
    check(e.message, "Access denied: SystemAdminPermission required", "403 message")
    extname = f"mx.{DOMAIN}"
    check(system.system.server_update(sid, ServerUpdate(extname=extname)).extname, extname, "server_update")
    ok("servers", f"ID {sid}")

    # --- hosting managers (Qboxmail) -----------------------------------------
    managers = Client(apiToken=API_TOKEN)
    e = fails(UnauthorizedException, 401, ManagersError, anonymous.hosting.domain_list)
    check((e.message, e.errors), ("Unauthorized", []), "managers 401")
    created = managers.hosting.domain_create(DomainCreate(name=DOMAIN, server_id=sid))
    dd = created.resource_code
    check((dd[:2], len(dd)), ("DD", 10), "domain code")
    e = fails(UnprocessableEntityException, 422, ManagersError, managers.hosting.domain_create, DomainCreate(name=f"two.{DOMAIN}", server_id=sid + 1000000))
    check(e.message, "Validation failed", "422 message")
    check([f.var_field for f in e.errors], ["server_id"], "422 fields")
    domain = managers.hosting.domain_get(dd)
    check((domain.name, domain.server_id, domain.manager_code), (DOMAIN, sid, None), "domain_get")
    domains = managers.hosting.domain_list(query=TAG, per=10, sort_field="name")
    check([d.domain_code for d in domains.resources], [dd], "domain_list")
    check((domains.pagination.total_records, domains.pagination.query), (1, TAG), "domain_list pagination")
    e = fails(NotFoundException, 404, ManagersError, managers.hosting.domain_get, "DD00000000")
    check((e.message, e.errors), ("Not found", []), "managers 404")
    reader_token = Client(apiToken=READONLY_API_TOKEN)
    check([d.domain_code for d in reader_token.hosting.domain_list(query=TAG).resources], [dd], "a readonly account's token reads")
    e = fails(ForbiddenException, 403, ManagersError, reader_token.hosting.domain_create, DomainCreate(name=f"ro.{DOMAIN}", server_id=sid))
    check((e.message, e.errors), ("Forbidden", []), "managers 403")
    check(system.system.server_get(id=sid).domains, 1, "the server counts its domain")
    ok("hosting domains", dd)

    dv = managers.delivery.delivery_domain_create(DeliveryDomainCreate(name=f"mail.{DOMAIN}")).resource_code
    check(dv[:2], "DV", "Delivery domain code")
    check(managers.delivery.delivery_domain_get(dv).name, f"mail.{DOMAIN}", "delivery_domain_get")
    check([d.delivery_domain_code for d in managers.delivery.delivery_domain_list(query=TAG).resources], [dv], "delivery_domain_list")
    fails(NotFoundException, 404, ManagersError, managers.delivery.delivery_domain_get, "DV00000000")
    da = managers.delivery.delivery_account_create(DeliveryAccountCreate(username="news", delivery_domain_code=dv)).resource_code
    check(da[:2], "DA", "Delivery account id")
    account = managers.delivery.delivery_account_get(da)
    check((account.username, account.delivery_domain_code), ("news", dv), "delivery_account_get")
    check([a.delivery_account_id for a in managers.delivery.delivery_account_list(query="news", per=100).resources if a.delivery_account_id == da], [da], "delivery_account_list")
    e = fails(UnprocessableEntityException, 422, ManagersError, managers.delivery.delivery_account_create, DeliveryAccountCreate(username="news2", delivery_domain_code="DV00000000"))
    check([f.var_field for f in e.errors], ["delivery_domain_code"], "422 on an unknown Delivery domain")
    fails(NotFoundException, 404, ManagersError, managers.delivery.delivery_account_get, "DA00000000")
    ok("Delivery", f"{dv} {da}")

    email = f"jane@{DOMAIN}"
    e = fails(
        UnprocessableEntityException,
        422,
        ManagersError,
        managers.managers.manager_create,
        ManagerCreate(email_address=email, firstname="Jane", lastname="Doe", password="secret123", password_confirmation="secret124", domain_codes=[dd, "DD00000000"]),
    )
    check(sorted(f.var_field for f in e.errors), ["domain_codes.1", "password_confirmation"], "every failing field at once")
    mn = managers.managers.manager_create(
        ManagerCreate(
            email_address=email,
            firstname="Jane",
            lastname="Doe",
            company="Example Hosting",
            password="secret123",
            password_confirmation="secret123",
            max_domains=10,
            domain_codes=[dd],
        )
    ).resource_code
    check((mn[:2], len(mn)), ("MN", 10), "manager code")
    manager = managers.managers.manager_get(mn)
    check((manager.email_address, manager.status, manager.max_domains, manager.domain_codes), (email, "Active", 10, [dd]), "manager_get")
    check(managers.hosting.domain_get(dd).manager_code, mn, "the domain knows its manager")
    page = managers.managers.manager_list(query=TAG, per=10, sort_field="email_address", sort="asc")
    check([m.manager_code for m in page.resources], [mn], "manager_list")
    check(managers.managers.manager_update(mn, ManagerUpdate(max_domains=20, max_email_quota=5368709120)), None, "manager_update answers nothing")
    manager = managers.managers.manager_get(mn)
    check((manager.max_domains, manager.max_email_quota), (20, 5368709120), "manager updated")
    e = fails(UnprocessableEntityException, 422, ManagersError, managers.managers.manager_update, mn, ManagerUpdate(max_domains=0))
    check([f.var_field for f in e.errors], ["max_domains"], "a limit below what is assigned")
    managers.managers.manager_assign_delivery(mn, DeliveryAssignment(id=dv, max_delivery_domains=5))
    managers.managers.manager_assign_delivery(mn, DeliveryAssignment(id=da, max_delivery_accounts=50))
    manager = managers.managers.manager_get(mn)
    check((manager.delivery_domain_codes, manager.delivery_account_ids, manager.max_delivery_domains), ([dv], [da], 5), "Delivery assigned")
    managers.managers.manager_deactivate(mn)
    check(managers.managers.manager_get(mn).status, "Inactive", "manager_deactivate")
    check([m.manager_code for m in managers.managers.manager_list(status="Inactive", query=TAG).resources], [mn], "manager_list by status")
    managers.managers.manager_activate(mn)
    check(managers.managers.manager_get(mn).status, "Active", "manager_activate")
    second_mn = managers.managers.manager_create(
        ManagerCreate(email_address=f"joe@{DOMAIN}", firstname="Joe", lastname="Roe", password="secret456", password_confirmation="secret456")
    ).resource_code
    page = managers.managers.manager_list(query=TAG, per=1, page=2, sort_field="firstname", sort="desc")
    check([m.manager_code for m in page.resources], [mn], "manager_list page 2 of 2, by firstname desc")
    check((page.pagination.per, page.pagination.page, page.pagination.total_pages, page.pagination.total_records), (1, 2, 2, 2), "manager_list pagination")
    check((page.pagination.sort_field, page.pagination.sort, page.pagination.filter), ("firstname", "desc", ""), "pagination echoes the query")
    joe = managers.managers.manager_get(second_mn)
    check((joe.max_domains, joe.max_email_quota, joe.catch_all, joe.domain_codes), (-1, None, False, []), "a manager's defaults")
    managers.managers.manager_delete(second_mn)

    fails(NotFoundException, 404, ManagersError, managers.managers.manager_get, "MN00000000")
    fails(NotFoundException, 404, ManagersError, managers.managers.manager_activate, "MN00000000")
    ok("managers", mn)

    # --- groups and people (ONLYOFFICE) --------------------------------------
    e = fails(UnauthorizedException, 401, OnlyofficeError, anonymous.people.authentication, AuthRequest(user_name=f"nobody-{TAG}", password="wrong-password-1"))
    oo_error(e, 401)
    auth = anonymous.people.authentication(AuthRequest(user_name=USER, password=PASSWORD))
    check((auth.status, auth.status_code), (0, 200), "authentication envelope")
    oo = Client(onlyofficeToken=auth.response.token)
    e = fails(UnauthorizedException, 401, OnlyofficeError, anonymous.people.people_list)
    oo_error(e, 401)
    e = fails(UnauthorizedException, 401, OnlyofficeError, anonymous.groups.group_list)
    oo_error(e, 401)
    ok("authentication")

    def add(first, last, local, domain=DOMAIN, **extra):
        envelope = oo.people.person_create(PersonCreate(is_visitor=False, email=f"{local}@{domain}", firstname=first, lastname=last, **extra))
        check((envelope.status, envelope.status_code), (0, 201), "person_create envelope")
        return envelope.response

    mike = add(
        "Mike",
        "Zanyatski",
        "mike",
        title="Manager",
        location="Palo Alto",
        sex="male",
        birthday="1980-04-10",
        worksfrom="2020-01-15T09:30:00Z",
        comment="Created by the compat run",
        contacts=[Contact(type="skype", value="mike.z")],
    )
    check((mike.user_name, mike.display_name, mike.email, mike.status, mike.is_visitor), ("mike", "Mike Zanyatski", f"mike@{DOMAIN}", 1, False), "person created")
    check((mike.domain, mike.domain_code), (DOMAIN, dd), "a person on a hosting domain")
    check((mike.birthday, mike.work_from), ("1980-04-10T00:00:00.0000000Z", "2020-01-15T09:30:00.0000000Z"), "dates in the product's form")
    check((mike.title, mike.location, mike.sex, mike.notes), ("Manager", "Palo Alto", "male", "Created by the compat run"), "profile fields")
    check([(c.type, c.value) for c in mike.contacts], [("skype", "mike.z")], "contacts")
    admin = add("Ada", "Admin", USER)
    check(admin.user_name, USER, "the user name is the e-mail's local part")
    anna = add("Anna", "Brown", "anna")
    bob = add("Bob", "Outside", "bob", domain=f"{TAG}.example.org")
    check((bob.domain, bob.domain_code), (None, None), "a person off the hosting domains")
    mike_too = add("Mike", "Other", "mike", domain=f"{TAG}.example.org")
    if mike_too.user_name == "mike" or not mike_too.user_name.startswith("mike"):
        raise AssertionError(f"a user name taken is numbered: {mike_too.user_name!r}")
    oo.people.person_delete(mike_too.id)
    e = fails(BadRequestException, 400, OnlyofficeError, oo.people.person_create, PersonCreate(email=f"mike@{DOMAIN}", firstname="M", lastname="Z"))
    oo_error(e, 400)
    e = fails(BadRequestException, 400, OnlyofficeError, oo.people.person_create, PersonCreate(email=f"feb@{DOMAIN}", firstname="F", lastname="Eb", birthday="2021-02-30"))
    oo_error(e, 400)
    check(system.system.server_get(id=sid).users, 3, "the server counts the people on its domain")

    guest = oo.people.person_create(PersonCreate(is_visitor=True, email=f"guest@{DOMAIN}", firstname="Gus", lastname="Guest", password="guest password 1")).response
    check((guest.is_visitor, guest.user_name), (True, "guest"), "a visitor")
    check(oo.people.person_delete(guest.id).response.id, guest.id, "the visitor deleted")
    reader_auth = anonymous.people.authentication(AuthRequest(user_name=READONLY_USER, password=READONLY_PASSWORD))
    reader_oo = Client(onlyofficeToken=reader_auth.response.token)
    check(reader_oo.people.person_get(mike.id).response.id, mike.id, "a readonly account reads people")
    e = fails(ForbiddenException, 403, OnlyofficeError, reader_oo.people.person_update, mike.id, PersonUpdate(title="x"))
    oo_error(e, 403)
    check(oo.people.person_get(mike.id).response.id, mike.id, "person_get by GUID")
    check(oo.people.person_get(mike.id.upper()).response.id, mike.id, "person_get by upper-case GUID")
    check(oo.people.person_get("mike").response.id, mike.id, "person_get by user name")
    check(oo.people.person_get("@self").response.id, admin.id, "person_get @self")
    check(oo.people.person_get("email", email=f"anna@{DOMAIN}").response.id, anna.id, "person_get by e-mail")
    e = fails(NotFoundException, 404, OnlyofficeError, oo.people.person_get, UNKNOWN_GUID)
    oo_error(e, 404)
    check(e.error.message, "User not found", "404 message")
    page = oo.people.people_list(filter_value=TAG, sort_by="FirstName", sort_order="descending", count=10)
    check([p.first_name for p in page.response], ["Mike", "Bob", "Anna", "Ada"], "people_list sorted")
    check((page.count, page.start_index, page.total, page.status_code), (4, 0, 4, 200), "people_list envelope")
    page = oo.people.people_list(filter_value=TAG, count=2, start_index=2, sort_by="UserName")
    check(([p.user_name for p in page.response], page.total), (["bob", "mike"], 4), "people_list page 2")
    ok("people", f"{mike.id} {admin.id} {anna.id} {bob.id}")

    name = f"{TAG} Sample group"
    group = oo.groups.group_create(GroupCreate(group_manager=mike.id, group_name=name, members=[anna.id]))
    check(group.status_code, 201, "group_create envelope")
    group = group.response
    gid = group.id
    check((group.name, group.manager.id, members(group)), (name, mike.id, sorted([mike.id, anna.id])), "the manager becomes a member")
    e = fails(BadRequestException, 400, OnlyofficeError, oo.groups.group_create, GroupCreate(group_name=f"{TAG} bad", members=[UNKNOWN_GUID]))
    oo_error(e, 400)
    check(oo.groups.group_get(gid).response.name, name, "group_get")
    check(oo.groups.group_get(f'"{gid.upper()}"').response.id, gid, "group_get with a quoted upper-case GUID")
    e = fails(NotFoundException, 404, OnlyofficeError, oo.groups.group_get, UNKNOWN_GUID)
    oo_error(e, 404)
    listed = oo.groups.group_list(filter_value=TAG)
    check([(g.id, g.name, g.manager.id) for g in listed.response], [(gid, name, mike.id)], "group_list")
    check((listed.count, listed.total), (1, 1), "group_list envelope")
    e = fails(ForbiddenException, 403, OnlyofficeError, reader_oo.groups.group_delete, gid)
    oo_error(e, 403)

    group = oo.groups.group_update(gid, GroupUpdate(group_manager=anna.id, group_name=f"{name} renamed", members=[anna.id, admin.id])).response
    check((group.name, group.manager.id, members(group)), (f"{name} renamed", anna.id, sorted([anna.id, admin.id])), "group_update")
    group = oo.groups.group_update(gid, GroupUpdate(members=[anna.id, admin.id])).response
    check(group.name, f"{name} renamed", "a missing groupName keeps the name")
    fails(NotFoundException, 404, OnlyofficeError, oo.groups.group_update, UNKNOWN_GUID, GroupUpdate(members=[]))
    group = oo.groups.group_members_add(gid, GroupMembers(members=[mike.id])).response
    check(members(group), sorted([anna.id, admin.id, mike.id]), "group_members_add")
    group = oo.groups.group_members_remove(gid, GroupMembers(members=[admin.id, anna.id])).response
    check((members(group), group.manager.id), (sorted([anna.id, mike.id]), anna.id), "group_members_remove keeps the manager")
    group = oo.groups.group_members_replace(gid, GroupMembers(members=[admin.id])).response
    check(members(group), sorted([anna.id, admin.id]), "group_members_replace keeps the manager")
    group = oo.groups.group_manager_set(gid, GroupManager(userid=mike.id)).response
    check((group.manager.id, mike.id in members(group)), (mike.id, True), "group_manager_set")
    e = fails(BadRequestException, 400, OnlyofficeError, oo.groups.group_manager_set, gid, GroupManager(userid=UNKNOWN_GUID))
    oo_error(e, 400)

    # Into itself, nothing moves (the product removes and re-adds each member).
    group = oo.groups.group_members_move(gid, gid).response
    check(members(group), sorted([anna.id, admin.id, mike.id]), "group_members_move into the same group keeps the members")
    second = oo.groups.group_create(GroupCreate(group_name=f"{TAG} Second group", members=[])).response
    check((second.manager, second.members), (None, []), "a group without manager or members")
    moved = oo.groups.group_members_move(gid, second.id).response
    check(moved.id, second.id, "group_members_move answers the group moved to")
    check(members(moved), sorted([anna.id, admin.id]), "every member but the manager moved")
    check(members(oo.groups.group_get(gid).response), [mike.id], "the manager stays")
    fails(NotFoundException, 404, OnlyofficeError, oo.groups.group_members_move, gid, UNKNOWN_GUID)
    ok("groups", f"{gid} {second.id}")

    person = oo.people.person_update(bob.id, PersonUpdate(title="Lead", department=[gid, second.id], location="Berlin")).response
    check((person.title, person.location), ("Lead", "Berlin"), "person_update")
    check(sorted(g.id for g in person.groups), sorted([gid, second.id]), "department sets the groups")
    person = oo.people.person_update(bob.id, PersonUpdate(department=[second.id])).response
    check([g.id for g in person.groups], [second.id], "department replaces the groups")
    person = oo.people.person_update(anna.id, PersonUpdate(disable=True)).response
    check(person.status, 2, "disable terminates")
    if not person.terminated:
        raise AssertionError("a terminated person says when")
    active = oo.people.people_list(filter_value=TAG)
    check(sorted(p.user_name for p in active.response), ["admin", "bob", "mike"], "the default list shows active people")
    gone = oo.people.people_list(filter_value=TAG, employee_status="Terminated")
    check([p.user_name for p in gone.response], ["anna"], "employeeStatus=Terminated")
    check(oo.people.person_update(anna.id, PersonUpdate(disable=False)).response.status, 1, "disable false reactivates")
    e = fails(NotFoundException, 404, OnlyofficeError, oo.people.person_update, UNKNOWN_GUID, PersonUpdate(title="x"))
    oo_error(e, 404)
    e = fails(BadRequestException, 400, OnlyofficeError, oo.people.person_update, bob.id, PersonUpdate(department=[UNKNOWN_GUID]))
    oo_error(e, 400)
    ok("person_update")

    # --- deletes, in reverse ------------------------------------------------
    deleted = oo.groups.group_delete(second.id).response
    check((deleted.id, deleted.members), (second.id, []), "group_delete answers the group without members")
    oo.groups.group_delete(gid)
    fails(NotFoundException, 404, OnlyofficeError, oo.groups.group_delete, gid)
    e = fails(UnprocessableEntityException, 422, ManagersError, managers.hosting.domain_delete, dd)
    check([f.var_field for f in e.errors], ["base"], "a domain people live on is not deleted")
    for p in (mike, admin, anna, bob):
        check(oo.people.person_delete(p.id).response.id, p.id, "person_delete")
    e = fails(NotFoundException, 404, OnlyofficeError, oo.people.person_delete, mike.id)
    oo_error(e, 404)
    check(system.system.server_get(id=sid).users, 0, "people deleted leave the server")

    check(managers.delivery.delivery_account_delete(da), None, "delivery_account_delete")
    fails(NotFoundException, 404, ManagersError, managers.delivery.delivery_account_get, da)
    managers.delivery.delivery_domain_delete(dv)
    fails(NotFoundException, 404, ManagersError, managers.delivery.delivery_domain_delete, dv)
    managers.managers.manager_delete(mn)
    fails(NotFoundException, 404, ManagersError, managers.managers.manager_get, mn)
    e = fails(BadRequestException, 400, SystemError, system.system.server_delete, sid)
    if not e.error:
        raise AssertionError(f"deleting a server in use says why: {e!r}")
    managers.hosting.domain_delete(dd)
    fails(NotFoundException, 404, ManagersError, managers.hosting.domain_delete, dd)
    check(system.system.server_delete(sid).message != "", True, "server_delete answers a message")
    fails(NotFoundException, 404, SystemError, system.system.server_get, id=sid)
    ok("deletes")

    # --- the audit log, then logout ------------------------------------------
    log = system.system.audit_list(limit=1000)
    written = [e.operation for e in log.data]
    for op in ("server_create", "domain_create", "manager_create", "person_create", "group_create", "server_delete"):
        if op not in written:
            raise AssertionError(f"the audit log has no {op}: {written}")
    check(log.count, len(log.data), "audit count")
    check({e.principal for e in log.data if e.operation == "server_create"}, {f"account:{USER}"}, "audit principal")
    check({e.via for e in log.data if e.operation == "domain_create"}, {"api-token"}, "audit via")
    fails(ForbiddenException, 403, SystemError, reader.system.audit_list)
    fails(UnauthorizedException, 401, SystemError, anonymous.system.audit_list)
    ok("audit_list", f"{log.count} entries")

    bye = oo.people.authentication_logout()
    check((bye.status, bye.status_code, bye.response), (0, 200, True), "logout")
    oo_error(fails(UnauthorizedException, 401, OnlyofficeError, oo.people.people_list), 401)
    fails(UnauthorizedException, 401, SystemError, system.system.server_list)
    oo_error(fails(UnauthorizedException, 401, OnlyofficeError, anonymous.people.authentication_logout), 401)
    ok("authentication_logout", "every session of the account ended")


if __name__ == "__main__":
    try:
        main()
    finally:
        called = os.environ.get("COMPAT_CALLED")
        if called:
            with open(called, "w") as f:
                f.write("".join(f"{op}\n" for op in sorted(CALLED)))
    print(f"drive.py: {len(CALLED)} operations called through the generated Python client, every check passed")
    sys.stdout.flush()
