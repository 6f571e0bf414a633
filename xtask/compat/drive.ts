// Drives every operation of spec/openapi.yaml through the TypeScript client
// that openapi-generator (`-g typescript-fetch`) makes from it, untouched,
// against a live hostadmin. `cargo xtask compat` generates the client into
// ./client beside a copy of this file, compiles both with `tsc --strict` and
// runs the result with node (whose global fetch the client uses).
//
// Environment: HOSTADMIN_URL, HOSTADMIN_USER, HOSTADMIN_PASSWORD (an admin
// account), HOSTADMIN_API_TOKEN (its platform token, made with the CLI),
// HOSTADMIN_READONLY_USER, HOSTADMIN_READONLY_PASSWORD and
// HOSTADMIN_READONLY_API_TOKEN (a `readonly` account, for the 403s),
// COMPAT_RUN (a counter: names are unique per run), COMPAT_CALLED (a file
// to write the called operations to: xtask fails when one is missing).
//
// Errors are checked as the client surfaces them: a ResponseError carrying
// the Response, whose status is checked and whose body must be the
// surface's error model (the generated instanceOf* and *FromJSON).

import { writeFileSync } from 'node:fs';

import {
    AuthApi,
    Configuration,
    DeliveryApi,
    GroupsApi,
    HostingApi,
    ManagersApi,
    ManagersError,
    ManagersErrorFromJSON,
    MetaApi,
    OnlyofficeError,
    OnlyofficeErrorFromJSON,
    PeopleApi,
    Person,
    Group,
    ResponseError,
    SystemApi,
    SystemError,
    SystemErrorFromJSON,
    instanceOfManagersError,
    instanceOfOnlyofficeError,
    instanceOfSystemError,
} from './client';

function env(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === '') {
        throw new Error(`${name} is not set`);
    }
    return value;
}

const URL_ = env('HOSTADMIN_URL');
const USER = env('HOSTADMIN_USER');
const PASSWORD = env('HOSTADMIN_PASSWORD');
const API_TOKEN = env('HOSTADMIN_API_TOKEN');
// A `readonly` account and its API token: writes answer 403.
const READONLY_USER = env('HOSTADMIN_READONLY_USER');
const READONLY_PASSWORD = env('HOSTADMIN_READONLY_PASSWORD');
const READONLY_API_TOKEN = env('HOSTADMIN_READONLY_API_TOKEN');
const RUN = Number(env('COMPAT_RUN'));
// Every request is bounded; xtask bounds the whole run too.
const TIMEOUT_MS = 15_000;

// Names unique per run, from the run counter: no randomness.
const TAG = `c${RUN}ts`;
const DOMAIN = `${TAG}.example.com`;
const UNKNOWN_GUID = '00000000-0000-4000-8000-000000000001';

const called = new Set<string>();

/** An API object whose operations (called from here) are recorded. */
function recorded<T extends object>(api: T): T {
    return new Proxy(api, {
        get(target, prop) {
            const value: unknown = Reflect.get(target, prop);
            if (typeof value !== 'function' || typeof prop !== 'string') {
                return value;
            }
            return (...args: unknown[]) => {
                called.add(prop);
                return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
        },
    });
}

interface Keys {
    jwt?: string;
    csrf?: string;
    apiToken?: string;
    onlyoffice?: string;
}

/** The generated APIs sharing one configuration. typescript-fetch does not
 * send apiKey security schemes that live in a cookie (a browser's fetch
 * would send its cookie jar), so the session cookie goes in the
 * configuration's headers. */
class Client {
    meta: MetaApi;
    auth: AuthApi;
    system: SystemApi;
    managers: ManagersApi;
    hosting: HostingApi;
    delivery: DeliveryApi;
    people: PeopleApi;
    groups: GroupsApi;

    constructor(keys: Keys = {}) {
        const byHeader: Record<string, string | undefined> = {
            'X-Csrf-Token': keys.csrf,
            'X-Api-Token': keys.apiToken,
            Authorization: keys.onlyoffice,
        };
        const anyKey = keys.csrf ?? keys.apiToken ?? keys.onlyoffice;
        const config = new Configuration({
            basePath: URL_,
            fetchApi: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) }),
            apiKey: anyKey === undefined ? undefined : (name: string) => byHeader[name] ?? '',
            headers: keys.jwt === undefined ? undefined : { Cookie: `grommunioAuthJwt=${keys.jwt}` },
        });
        this.meta = recorded(new MetaApi(config));
        this.auth = recorded(new AuthApi(config));
        this.system = recorded(new SystemApi(config));
        this.managers = recorded(new ManagersApi(config));
        this.hosting = recorded(new HostingApi(config));
        this.delivery = recorded(new DeliveryApi(config));
        this.people = recorded(new PeopleApi(config));
        this.groups = recorded(new GroupsApi(config));
    }
}

function check<T>(actual: T, expected: T, what: string): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) {
        throw new Error(`${what}: expected ${e}, got ${a}`);
    }
}

function ok(what: string, detail = ''): void {
    console.log(`  ok ${what} ${detail}`.trimEnd());
}

/** Calls an operation that must fail: the client throws a ResponseError
 * with `status`, whose body is the surface's error model. */
async function fails<B>(
    status: number,
    is: (value: object) => boolean,
    fromJson: (json: unknown) => B,
    call: () => Promise<unknown>,
): Promise<B> {
    let answer: unknown;
    try {
        answer = await call();
    } catch (e) {
        if (!(e instanceof ResponseError)) {
            throw new Error(`expected a ResponseError (${status}), got ${String(e)}`);
        }
        check(e.response.status, status, 'status');
        const body: unknown = await e.response.json();
        if (typeof body !== 'object' || body === null || !is(body)) {
            throw new Error(`the ${status} body is not the surface's error: ${JSON.stringify(body)}`);
        }
        return fromJson(body);
    }
    throw new Error(`expected a ${status}, got an answer: ${JSON.stringify(answer)}`);
}

const systemError = (status: number, call: () => Promise<unknown>): Promise<SystemError> =>
    fails(status, instanceOfSystemError, SystemErrorFromJSON, call);
const managersError = (status: number, call: () => Promise<unknown>): Promise<ManagersError> =>
    fails(status, instanceOfManagersError, ManagersErrorFromJSON, call);
async function ooError(status: number, call: () => Promise<unknown>): Promise<OnlyofficeError> {
    const e = await fails(status, instanceOfOnlyofficeError, OnlyofficeErrorFromJSON, call);
    check([e.status, e.statusCode], [1, status], 'the error envelope');
    if (!e.error.message) {
        throw new Error('the error envelope has no message');
    }
    return e;
}

const ids = (group: Group): string[] => group.members.map((m) => m.id).sort();

async function main(): Promise<void> {
    const anonymous = new Client();

    // --- meta -------------------------------------------------------------
    check((await anonymous.meta.healthLive()).status, 'ok', 'healthz');
    check((await anonymous.meta.healthReady()).status, 'ok', 'readyz');
    check((await anonymous.meta.openapiDocument())['openapi'], '3.0.3', 'the served document');
    ok('meta', 'healthz, readyz, openapi.json');

    // --- system servers (grommunio) ----------------------------------------
    let se = await systemError(401, () => anonymous.auth.login({ user: `nobody-${TAG}`, pass: 'wrong-password-1' }));
    check(se.message, 'Access denied', "a failed login's message");
    const login = await anonymous.auth.login({ user: USER, pass: PASSWORD });
    const system = new Client({ jwt: login.grommunioAuthJwt, csrf: login.csrf });
    ok('login');

    const hostname = `${TAG}-mail01`;
    let extname = `mail01.${DOMAIN}`;
    const server = await system.system.serverCreate({ serverCreate: { hostname, extname } });
    check([server.hostname, server.extname, server.users, server.domains], [hostname, extname, 0, 0], 'server created');
    const sid = server.iD;
    se = await systemError(401, () => anonymous.system.serverList());
    check([se.message, Boolean(se.error)], ['Access denied', true], 'a 401 says why');
    const noCsrf = new Client({ jwt: login.grommunioAuthJwt });
    await systemError(401, () => noCsrf.system.serverCreate({ serverCreate: { hostname: `${TAG}-x`, extname: `x.${DOMAIN}` } }));
    se = await systemError(400, () => system.system.serverCreate({ serverCreate: { hostname: '', extname: '' } }));
    const errors = se.errors ?? [];
    check([errors.some((l) => l.includes('hostname')), errors.some((l) => l.includes('extname'))], [true, true], 'a 400 lists every problem');
    se = await systemError(400, () => system.system.serverCreate({ serverCreate: { hostname, extname: `other.${DOMAIN}` } }));
    check(Boolean(se.error), true, 'a duplicate says why');
    const listed = await system.system.serverList({ match: TAG, sort: ['hostname,desc'], level: 2, limit: 10 });
    check([listed.count, listed.data.map((s) => s.iD), listed.data[0]?.users], [1, [sid], 0], 'server_list');
    check((await system.system.serverGet({ iD: sid })).extname, extname, 'server_get');
    se = await systemError(404, () => system.system.serverGet({ iD: sid + 1_000_000 }));
    check(Boolean(se.message), true, 'a 404 has a message');
    const readerLogin = await anonymous.auth.login({ user: READONLY_USER, pass: READONLY_PASSWORD });
    const reader = new Client({ jwt: readerLogin.grommunioAuthJwt, csrf: readerLogin.csrf });
    check((await reader.system.serverGet({ iD: sid })).iD, sid, 'a readonly account reads');
    se = await systemError(403, () => reader.system.serverDelete({ iD: sid }));
    check(se.message, 'Access denied: SystemAdminPermission required', '403 message');
    extname = `mx.${DOMAIN}`;
    check((await system.system.serverUpdate({ iD: sid, serverUpdate: { extname } })).extname, extname, 'server_update');
    ok('servers', `ID ${sid}`);

    // --- hosting managers (Qboxmail) -----------------------------------------
    const managers = new Client({ apiToken: API_TOKEN });
    let me = await managersError(401, () => anonymous.hosting.domainList());
    check([me.message, me.errors], ['Unauthorized', []], 'managers 401');
    const dd = (await managers.hosting.domainCreate({ domainCreate: { name: DOMAIN, serverId: sid } })).resourceCode;
    check([dd.slice(0, 2), dd.length], ['DD', 10], 'domain code');
    me = await managersError(422, () =>
        managers.hosting.domainCreate({ domainCreate: { name: `two.${DOMAIN}`, serverId: sid + 1_000_000 } }),
    );
    check([me.message, me.errors.map((f) => f.field)], ['Validation failed', ['server_id']], 'a 422');
    const domain = await managers.hosting.domainGet({ domainCode: dd });
    check([domain.name, domain.serverId, domain.managerCode], [DOMAIN, sid, undefined], 'domain_get');
    const domains = await managers.hosting.domainList({ query: TAG, per: 10, sortField: 'name' });
    check([domains.resources.map((d) => d.domainCode), domains.pagination.totalRecords], [[dd], 1], 'domain_list');
    me = await managersError(404, () => managers.hosting.domainGet({ domainCode: 'DD00000000' }));
    check([me.message, me.errors], ['Not found', []], 'managers 404');
    const readerToken = new Client({ apiToken: READONLY_API_TOKEN });
    me = await managersError(403, () => readerToken.hosting.domainDelete({ domainCode: dd }));
    check([me.message, me.errors], ['Forbidden', []], 'managers 403');
    check((await system.system.serverGet({ iD: sid })).domains, 1, 'the server counts its domain');
    ok('hosting domains', dd);

    const dv = (await managers.delivery.deliveryDomainCreate({ deliveryDomainCreate: { name: `mail.${DOMAIN}` } })).resourceCode;
    check((await managers.delivery.deliveryDomainGet({ deliveryDomainCode: dv })).name, `mail.${DOMAIN}`, 'delivery_domain_get');
    check((await managers.delivery.deliveryDomainList({ query: TAG })).resources.map((d) => d.deliveryDomainCode), [dv], 'delivery_domain_list');
    await managersError(404, () => managers.delivery.deliveryDomainGet({ deliveryDomainCode: 'DV00000000' }));
    const da = (await managers.delivery.deliveryAccountCreate({ deliveryAccountCreate: { username: 'news', deliveryDomainCode: dv } }))
        .resourceCode;
    const account = await managers.delivery.deliveryAccountGet({ deliveryAccountId: da });
    check([account.username, account.deliveryDomainCode], ['news', dv], 'delivery_account_get');
    const accounts = await managers.delivery.deliveryAccountList({ query: 'news', per: 100 });
    check(accounts.resources.some((a) => a.deliveryAccountId === da), true, 'delivery_account_list');
    me = await managersError(422, () =>
        managers.delivery.deliveryAccountCreate({ deliveryAccountCreate: { username: 'news2', deliveryDomainCode: 'DV00000000' } }),
    );
    check(me.errors.map((f) => f.field), ['delivery_domain_code'], 'a 422 on an unknown Delivery domain');
    await managersError(404, () => managers.delivery.deliveryAccountGet({ deliveryAccountId: 'DA00000000' }));
    ok('Delivery', `${dv} ${da}`);

    const email = `jane@${DOMAIN}`;
    me = await managersError(422, () =>
        managers.managers.managerCreate({
            managerCreate: {
                emailAddress: email,
                firstname: 'Jane',
                lastname: 'Doe',
                password: 'secret123',
                passwordConfirmation: 'secret124',
                domainCodes: new Set([dd, 'DD00000000']),
            },
        }),
    );
    check(me.errors.map((f) => f.field).sort(), ['domain_codes.1', 'password_confirmation'], 'every failing field at once');
    const mn = (
        await managers.managers.managerCreate({
            managerCreate: {
                emailAddress: email,
                firstname: 'Jane',
                lastname: 'Doe',
                company: 'Example Hosting',
                password: 'secret123',
                passwordConfirmation: 'secret123',
                maxDomains: 10,
                domainCodes: new Set([dd]),
            },
        })
    ).resourceCode;
    let manager = await managers.managers.managerGet({ managerCode: mn });
    check([manager.emailAddress, manager.status, manager.maxDomains, manager.domainCodes], [email, 'Active', 10, [dd]], 'manager_get');
    const page = await managers.managers.managerList({ query: TAG, per: 10, sortField: 'email_address', sort: 'asc' });
    check(page.resources.map((m) => m.managerCode), [mn], 'manager_list');
    await managers.managers.managerUpdate({ managerCode: mn, managerUpdate: { maxDomains: 20, maxEmailQuota: 5368709120 } });
    manager = await managers.managers.managerGet({ managerCode: mn });
    check([manager.maxDomains, manager.maxEmailQuota], [20, 5368709120], 'manager_update');
    me = await managersError(422, () => managers.managers.managerUpdate({ managerCode: mn, managerUpdate: { maxDomains: 0 } }));
    check(me.errors.map((f) => f.field), ['max_domains'], 'a limit below what is assigned');
    await managers.managers.managerAssignDelivery({ managerCode: mn, deliveryAssignment: { id: dv, maxDeliveryDomains: 5 } });
    await managers.managers.managerAssignDelivery({ managerCode: mn, deliveryAssignment: { id: da, maxDeliveryAccounts: 50 } });
    manager = await managers.managers.managerGet({ managerCode: mn });
    check([manager.deliveryDomainCodes, manager.deliveryAccountIds], [[dv], [da]], 'Delivery assigned');
    await managers.managers.managerDeactivate({ managerCode: mn });
    check((await managers.managers.managerGet({ managerCode: mn })).status, 'Inactive', 'manager_deactivate');
    await managers.managers.managerActivate({ managerCode: mn });
    check((await managers.managers.managerGet({ managerCode: mn })).status, 'Active', 'manager_activate');
    await managersError(404, () => managers.managers.managerGet({ managerCode: 'MN00000000' }));
    await managersError(404, () => managers.managers.managerDeactivate({ managerCode: 'MN00000000' }));
    ok('managers', mn);

    // --- groups and people (ONLYOFFICE) --------------------------------------
    await ooError(401, () => anonymous.people.authentication({ authRequest: { userName: `nobody-${TAG}`, password: 'wrong-password-1' } }));
    const auth = await anonymous.people.authentication({ authRequest: { userName: USER, password: PASSWORD } });
    check([auth.status, auth.statusCode], [0, 200], 'authentication');
    const oo = new Client({ onlyoffice: auth.response.token });
    await ooError(401, () => anonymous.people.peopleList());
    await ooError(401, () => anonymous.groups.groupGet({ groupid: UNKNOWN_GUID }));
    ok('authentication');

    const add = async (firstname: string, lastname: string, local: string, domainName = DOMAIN): Promise<Person> => {
        const envelope = await oo.people.personCreate({
            personCreate: { isVisitor: false, email: `${local}@${domainName}`, firstname, lastname },
        });
        check([envelope.status, envelope.statusCode], [0, 201], 'person_create envelope');
        return envelope.response;
    };
    const created = await oo.people.personCreate({
        personCreate: {
            isVisitor: false,
            email: `mike@${DOMAIN}`,
            firstname: 'Mike',
            lastname: 'Zanyatski',
            title: 'Manager',
            location: 'Palo Alto',
            sex: 'male',
            birthday: '1980-04-10',
            worksfrom: '2020-01-15T09:30:00Z',
            comment: 'Created by the compat run',
            contacts: [{ type: 'skype', value: 'mike.z' }],
        },
    });
    const mike = created.response;
    check(
        [mike.userName, mike.displayName, mike.status, mike.domain, mike.domainCode, mike.birthday, mike.workFrom, mike.notes, mike.sex],
        ['mike', 'Mike Zanyatski', 1, DOMAIN, dd, '1980-04-10T00:00:00.0000000Z', '2020-01-15T09:30:00.0000000Z', 'Created by the compat run', 'male'],
        'person created',
    );
    check(mike.contacts, [{ type: 'skype', value: 'mike.z' }], 'contacts');
    const admin = await add('Ada', 'Admin', USER);
    const anna = await add('Anna', 'Brown', 'anna');
    const bob = await add('Bob', 'Outside', 'bob', `${TAG}.example.org`);
    check([admin.userName, bob.domain], [USER, undefined], 'user names and domains');
    await ooError(400, () => oo.people.personCreate({ personCreate: { email: `mike@${DOMAIN}`, firstname: 'M', lastname: 'Z' } }));
    await ooError(400, () => oo.people.personCreate({ personCreate: { email: 'not an address', firstname: 'M', lastname: 'Z' } }));
    check((await system.system.serverGet({ iD: sid })).users, 3, 'the server counts the people on its domain');

    const readerAuth = await anonymous.people.authentication({ authRequest: { userName: READONLY_USER, password: READONLY_PASSWORD } });
    const readerOo = new Client({ onlyoffice: readerAuth.response.token });
    await ooError(403, () => readerOo.people.personDelete({ userid: mike.id }));
    check((await oo.people.personGet({ userid: mike.id })).response.id, mike.id, 'person_get');
    check((await oo.people.personGet({ userid: 'mike' })).response.id, mike.id, 'person_get by user name');
    check((await oo.people.personGet({ userid: '@self' })).response.id, admin.id, 'person_get @self');
    check((await oo.people.personGet({ userid: 'email', email: `anna@${DOMAIN}` })).response.id, anna.id, 'person_get by e-mail');
    const notFound = await ooError(404, () => oo.people.personGet({ userid: UNKNOWN_GUID }));
    check(notFound.error.message, 'User not found', '404 message');
    const people = await oo.people.peopleList({ filterValue: TAG, sortBy: 'LastName', sortOrder: 'ascending', count: 10 });
    check(people.response.map((p) => p.lastName), ['Admin', 'Brown', 'Outside', 'Zanyatski'], 'people_list');
    check([people.count, people.startIndex, people.total], [4, 0, 4], 'people_list envelope');
    ok('people');

    const name = `${TAG} Sample group`;
    const group = (await oo.groups.groupCreate({ groupCreate: { groupManager: mike.id, groupName: name, members: [anna.id] } })).response;
    const gid = group.id;
    check([group.name, group.manager?.id, ids(group)], [name, mike.id, [mike.id, anna.id].sort()], 'group_create');
    await ooError(400, () => oo.groups.groupCreate({ groupCreate: { groupName: `${TAG} bad`, members: ['not-a-guid'] } }));
    await ooError(400, () => oo.groups.groupCreate({ groupCreate: { groupName: `${TAG} bad`, members: [UNKNOWN_GUID] } }));
    await ooError(403, () => readerOo.groups.groupMembersAdd({ groupid: gid, groupMembers: { members: [bob.id] } }));
    check((await oo.groups.groupGet({ groupid: gid })).response.name, name, 'group_get');
    await ooError(404, () => oo.groups.groupGet({ groupid: UNKNOWN_GUID }));
    const groups = await oo.groups.groupList({ filterValue: TAG, sortBy: 'Name', sortOrder: 'descending' });
    check(groups.response.map((g) => [g.id, g.name, g.manager?.id]), [[gid, name, mike.id]], 'group_list');
    let g = (await oo.groups.groupUpdate({ groupid: gid, groupUpdate: { groupManager: anna.id, groupName: `${name} renamed`, members: [anna.id, admin.id] } }))
        .response;
    check([g.name, g.manager?.id, ids(g)], [`${name} renamed`, anna.id, [anna.id, admin.id].sort()], 'group_update');
    g = (await oo.groups.groupMembersAdd({ groupid: gid, groupMembers: { members: [mike.id] } })).response;
    check(ids(g), [anna.id, admin.id, mike.id].sort(), 'group_members_add');
    g = (await oo.groups.groupMembersRemove({ groupid: gid, groupMembers: { members: [admin.id] } })).response;
    check(ids(g), [anna.id, mike.id].sort(), 'group_members_remove');
    g = (await oo.groups.groupMembersReplace({ groupid: gid, groupMembers: { members: [admin.id] } })).response;
    check(ids(g), [anna.id, admin.id].sort(), 'group_members_replace keeps the manager');
    g = (await oo.groups.groupManagerSet({ groupid: gid, groupManager: { userid: mike.id } })).response;
    check([g.manager?.id, ids(g).includes(mike.id)], [mike.id, true], 'group_manager_set');
    await ooError(404, () => oo.groups.groupManagerSet({ groupid: UNKNOWN_GUID, groupManager: { userid: mike.id } }));
    g = (await oo.groups.groupMembersMove({ groupid: gid, newgroupid: gid })).response;
    check(ids(g), [anna.id, admin.id, mike.id].sort(), 'group_members_move into the same group keeps the members');
    const second = (await oo.groups.groupCreate({ groupCreate: { groupName: `${TAG} Second group`, members: [] } })).response;
    const moved = (await oo.groups.groupMembersMove({ groupid: gid, newgroupid: second.id })).response;
    check([moved.id, ids(moved)], [second.id, [anna.id, admin.id].sort()], 'group_members_move');
    ok('groups', `${gid} ${second.id}`);

    let person = (await oo.people.personUpdate({ userid: bob.id, personUpdate: { title: 'Lead', department: [gid, second.id] } })).response;
    check([person.title, (person.groups ?? []).map((x) => x.id).sort()], ['Lead', [gid, second.id].sort()], 'person_update');
    person = (await oo.people.personUpdate({ userid: anna.id, personUpdate: { disable: true } })).response;
    check([person.status, Boolean(person.terminated)], [2, true], 'disable terminates');
    const terminated = await oo.people.peopleList({ filterValue: TAG, employeeStatus: 'Terminated' });
    check(terminated.response.map((p) => p.userName), ['anna'], 'employeeStatus=Terminated');
    check((await oo.people.personUpdate({ userid: anna.id, personUpdate: { disable: false } })).response.status, 1, 'reactivated');
    await ooError(404, () => oo.people.personUpdate({ userid: UNKNOWN_GUID, personUpdate: { title: 'x' } }));
    ok('person_update');

    // --- deletes, in reverse ------------------------------------------------
    const deleted = (await oo.groups.groupDelete({ groupid: second.id })).response;
    check([deleted.id, deleted.members], [second.id, []], 'group_delete answers the group without members');
    await oo.groups.groupDelete({ groupid: gid });
    await ooError(404, () => oo.groups.groupDelete({ groupid: gid }));
    for (const p of [mike, admin, anna, bob]) {
        check((await oo.people.personDelete({ userid: p.id })).response.id, p.id, 'person_delete');
    }
    await ooError(404, () => oo.people.personDelete({ userid: mike.id }));
    check((await system.system.serverGet({ iD: sid })).users, 0, 'people deleted leave the server');

    await managers.delivery.deliveryAccountDelete({ deliveryAccountId: da });
    await managersError(404, () => managers.delivery.deliveryAccountDelete({ deliveryAccountId: da }));
    await managers.delivery.deliveryDomainDelete({ deliveryDomainCode: dv });
    await managers.managers.managerDelete({ managerCode: mn });
    await managersError(404, () => managers.managers.managerDelete({ managerCode: mn }));
    se = await systemError(400, () => system.system.serverDelete({ iD: sid }));
    check(Boolean(se.error), true, 'deleting a server in use says why');
    await managers.hosting.domainDelete({ domainCode: dd });
    await managersError(404, () => managers.hosting.domainDelete({ domainCode: dd }));
    check(Boolean((await system.system.serverDelete({ iD: sid })).message), true, 'server_delete');
    await systemError(404, () => system.system.serverDelete({ iD: sid }));
    ok('deletes');

    // --- the audit log, then logout ------------------------------------------
    const log = await system.system.auditList({ limit: 1000 });
    const written = log.data.map((e) => e.operation);
    for (const op of ['server_create', 'domain_create', 'manager_create', 'person_create', 'group_create', 'server_delete']) {
        check(written.includes(op), true, `the audit log has ${op}`);
    }
    check(log.count, log.data.length, 'audit count');
    check([...new Set(log.data.filter((e) => e.operation === 'server_create').map((e) => e.principal))], [`account:${USER}`], 'audit principal');
    check([...new Set(log.data.filter((e) => e.operation === 'domain_create').map((e) => e.via))], ['api-token'], 'audit via');
    await systemError(403, () => reader.system.auditList({}));
    await systemError(401, () => anonymous.system.auditList({}));
    ok('audit_list', `${log.count} entries`);

    const bye = await oo.people.authenticationLogout();
    check([bye.status, bye.statusCode, bye.response], [0, 200, true], 'logout');
    await ooError(401, () => oo.people.peopleList({}));
    await systemError(401, () => system.system.serverList({}));
    await ooError(401, () => anonymous.people.authenticationLogout());
    ok('authentication_logout', 'every session of the account ended');
}

main()
    .then(() => {
        console.log(`drive.ts: ${called.size} operations called through the generated TypeScript client, every check passed`);
    })
    .catch((e: unknown) => {
        console.error(e instanceof Error ? (e.stack ?? e.message) : e);
        process.exitCode = 1;
    })
    .finally(() => {
        const file = process.env['COMPAT_CALLED'];
        if (file) {
            writeFileSync(file, [...called].sort().map((op) => `${op}\n`).join(''));
        }
    });
