"""Replays ONLYOFFICE's own requests for people and groups, byte for byte as
the product's documentation sends them (raw HTTP with urllib: these are the
product's requests, not a generated client's), and reads the answers as the
product's clients do: JSON, and XML (`Accept: text/xml` and `.xml` paths)
read by an order-sensitive reader, as .NET's DataContractSerializer reads
the product's `[DataMember(Order = N)]` wrappers (an element out of order
is skipped there: here it fails).

The group update is the seed's (`shared/seeds/onlyoffice-update-group.txt`):
`PUT api/2.0/group/%22<GUID in mixed case>%22` with groupManager, groupName
"some text" and members. The person is the product's "Add a user" with
every documented field, dates in the product's own example form
(`2008-04-10T06-30-00.000Z`).

Environment: as drive.py (HOSTADMIN_URL, HOSTADMIN_USER, HOSTADMIN_PASSWORD,
HOSTADMIN_API_TOKEN, COMPAT_RUN).
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

URL = os.environ["HOSTADMIN_URL"]
USER = os.environ["HOSTADMIN_USER"]
PASSWORD = os.environ["HOSTADMIN_PASSWORD"]
API_TOKEN = os.environ["HOSTADMIN_API_TOKEN"]
RUN = int(os.environ["COMPAT_RUN"])
TIMEOUT = 15
TAG = f"c{RUN}replay"
DOMAIN = f"{TAG}.example.com"
UNKNOWN_GUID = "00000000-0000-4000-8000-000000000001"

# Element orders, as the product's DataContractSerializer writes and reads
# them: (name, required, repeated). Optional members are left out when
# empty (EmitDefaultValue = false); an array is its element repeated.
SUMMARY = [("Id", True, False), ("DisplayName", True, False), ("Title", True, False), ("AvatarSmall", True, False), ("ProfileUrl", True, False)]
PERSON = [
    ("Id", True, False),
    ("DisplayName", True, False),
    ("Title", False, False),
    ("AvatarSmall", True, False),
    ("ProfileUrl", True, False),
    ("IsVisitor", True, False),
    ("UserName", True, False),
    ("ActivationStatus", True, False),
    ("Birthday", False, False),
    ("Department", False, False),
    ("Email", True, False),
    ("FirstName", True, False),
    ("LastName", True, False),
    ("Lead", False, False),
    ("Location", False, False),
    ("Notes", False, False),
    ("Sex", False, False),
    ("Status", True, False),
    ("Terminated", False, False),
    ("WorkFrom", False, False),
    ("Contacts", False, True),
    ("Avatar", True, False),
    ("AvatarMedium", True, False),
    ("Groups", False, True),
    ("IsAdmin", True, False),
    ("IsLDAP", True, False),
    ("IsOwner", True, False),
    ("IsSSO", True, False),
    ("Domain", False, False),
    ("DomainCode", False, False),
]
CONTACT = [("Type", True, False), ("Value", True, False)]
GROUP = [
    ("Id", True, False),
    ("Name", True, False),
    ("Category", True, False),
    ("Parent", True, False),
    ("Description", True, False),
    ("Manager", False, False),
    ("Members", True, True),
]
GROUP_SUMMARY = [("Id", True, False), ("Name", True, False), ("Manager", False, False)]
ENVELOPE = [("status", True, False), ("statusCode", True, False), ("response", True, False)]
LIST_ENVELOPE = [
    ("count", True, False),
    ("startIndex", True, False),
    ("total", True, False),
    ("status", True, False),
    ("statusCode", True, False),
    ("response", True, True),
]
ERROR_ENVELOPE = [("status", True, False), ("statusCode", True, False), ("error", True, False)]


def check(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def request(method, path, body=None, headers=None, form=None):
    """One request as a client sends it: (status, content type, text)."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(URL + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def ordered(element, layout, what):
    """Reads `element`'s children as an order-sensitive reader does: each
    must come after the previous one in `layout`; a non-repeated one only
    once; every required one present. Returns {name: [elements]}."""
    names = [name for name, _, _ in layout]
    seen = {}
    position = 0
    previous = None
    for child in element:
        if child.tag not in names:
            raise AssertionError(f"{what}: unknown element <{child.tag}>")
        index = names.index(child.tag, position) if child.tag in names[position:] else -1
        if index < 0:
            raise AssertionError(f"{what}: <{child.tag}> comes after <{previous}>, out of the product's order {names}")
        if child.tag in seen and not layout[index][2]:
            raise AssertionError(f"{what}: <{child.tag}> repeated")
        seen.setdefault(child.tag, []).append(child)
        position = index
        previous = child.tag
    for name, required, _ in layout:
        if required and name not in seen:
            raise AssertionError(f"{what}: required <{name}> is missing (have {[c.tag for c in element]})")
    return seen


def text(elements, name):
    return elements[name][0].text or "" if name in elements else None


def xml_answer(status, content_type, body, expected_status, what):
    check(status, expected_status, f"{what}: status")
    if not content_type.startswith("text/xml"):
        raise AssertionError(f"{what}: Content-Type {content_type!r}, not text/xml")
    if not body.startswith('<?xml version="1.0" encoding="utf-8"?>'):
        raise AssertionError(f"{what}: no XML declaration: {body[:60]!r}")
    root = ET.fromstring(body)
    check(root.tag, "result", f"{what}: the root element")
    return root


def json_answer(status, content_type, body, expected_status, what):
    check(status, expected_status, f"{what}: status")
    if not content_type.startswith("application/json"):
        raise AssertionError(f"{what}: Content-Type {content_type!r}, not JSON")
    answer = json.loads(body)
    check((answer.get("status"), answer.get("statusCode")), (0, expected_status), f"{what}: envelope")
    return answer


def read_person(element, what):
    """A person in XML, read in order, as a dict of texts (lists for the
    repeated members)."""
    fields = ordered(element, PERSON, what)
    person = {name: text(fields, name) for name, _, repeated in PERSON if not repeated and name in fields}
    person["Contacts"] = []
    for contact in fields.get("Contacts", []):
        c = ordered(contact, CONTACT, f"{what} Contacts")
        person["Contacts"].append({"Type": text(c, "Type"), "Value": text(c, "Value")})
    person["Groups"] = [text(ordered(g, GROUP_SUMMARY, f"{what} Groups"), "Id") for g in fields.get("Groups", [])]
    return person


def read_summary(element, what):
    fields = ordered(element, SUMMARY, what)
    return {name: text(fields, name) for name, _, _ in SUMMARY}


def read_group(element, what):
    fields = ordered(element, GROUP, what)
    group = {name: text(fields, name) for name in ("Id", "Name", "Category", "Parent", "Description")}
    group["Manager"] = read_summary(fields["Manager"][0], f"{what} Manager") if "Manager" in fields else None
    members = fields["Members"]
    if len(members) == 1 and len(members[0]) == 0:
        group["Members"] = []  # <Members />: an empty required array
    else:
        group["Members"] = [read_summary(m, f"{what} Members") for m in members]
    return group


def same_person(xml_person, json_person, what):
    """The XML carries what the JSON does (texts for scalars)."""
    for name, value in json_person.items():
        if name in ("Contacts", "Groups"):
            continue
        expected = str(value).lower() if isinstance(value, bool) else str(value)
        check(xml_person.get(name), expected, f"{what}: <{name}> against the JSON")
    check(xml_person["Contacts"], json_person.get("Contacts", []), f"{what}: contacts")
    check(xml_person["Groups"], [g["Id"] for g in json_person.get("Groups", [])], f"{what}: groups")


def mixed_case(guid):
    """A GUID written as the seed writes its example
    (9924256A-739C-462b-AF15-E652A3B1B6EB): upper case but the third group."""
    parts = guid.split("-")
    return "-".join(p.lower() if i == 2 else p.upper() for i, p in enumerate(parts))


def main():
    # Setup through the other surfaces: a server, and a hosting domain on it,
    # so that people live on a domain (Domain, DomainCode in their profile).
    status, _, body = request("POST", "/api/v1/login", form={"user": USER, "pass": PASSWORD})
    check(status, 200, "grommunio login")
    session = json.loads(body)
    status, _, body = request(
        "POST",
        "/api/v1/system/servers",
        {"hostname": f"{TAG}-mail01", "extname": f"mail01.{DOMAIN}"},
        {"Cookie": f"grommunioAuthJwt={session['grommunioAuthJwt']}", "X-Csrf-Token": session["csrf"]},
    )
    check(status, 201, "server created")
    server_id = json.loads(body)["ID"]
    status, _, body = request("POST", "/api/domains", {"name": DOMAIN, "server_id": server_id}, {"X-Api-Token": API_TOKEN})
    check(status, 201, "hosting domain created")
    domain_code = json.loads(body)["resource_code"]

    # The product's authentication, then its token raw in Authorization.
    status, _, body = request("POST", "/api/2.0/authentication", {"userName": USER, "password": PASSWORD}, {"Accept": "application/json"})
    check(status, 200, "authentication")
    token = json.loads(body)["response"]["token"]
    as_json = {"Authorization": token, "Accept": "application/json"}
    as_xml = {"Authorization": token, "Accept": "text/xml"}
    xml_path = {"Authorization": token}

    # Authentication answered as XML too.
    root = xml_answer(*request("POST", "/api/2.0/authentication", {"userName": USER, "password": PASSWORD}, {"Accept": "text/xml"}), 200, "authentication XML")
    fields = ordered(root, ENVELOPE, "authentication XML")
    ordered(fields["response"][0], [("token", True, False), ("expires", True, False)], "authentication XML token")

    # A manager for the groups: the product's "Add a user", minimal.
    manager = json_answer(
        *request("POST", "/api/2.0/people", {"isVisitor": False, "email": f"mike.zanyatski@{DOMAIN}", "firstname": "Mike", "lastname": "Zanyatski"}, as_json),
        201,
        "Add a user (minimal)",
    )["response"]
    check((manager["UserName"], manager["Domain"], manager["DomainCode"]), ("mike.zanyatski", DOMAIN, domain_code), "a person on a hosting domain")
    mid = manager["Id"]

    # Group create: JSON, then XML by Accept and by the .xml path.
    group_name = f"{TAG} Sample group"
    created = json_answer(*request("POST", "/api/2.0/group", {"groupManager": mid, "groupName": group_name, "members": []}, as_json), 201, "group create")
    group = created["response"]
    gid = group["Id"]
    check((group["Name"], group["Manager"]["Id"], [m["Id"] for m in group["Members"]]), (group_name, mid, [mid]), "group create")
    root = xml_answer(*request("POST", "/api/2.0/group", {"groupManager": mid, "groupName": f"{group_name} xml", "members": [mid]}, as_xml), 201, "group create XML")
    fields = ordered(root, ENVELOPE, "group create XML")
    check(text(fields, "statusCode"), "201", "group create XML statusCode")
    xml_group = read_group(fields["response"][0], "group create XML")
    check((xml_group["Name"], xml_group["Manager"]["Id"], [m["Id"] for m in xml_group["Members"]]), (f"{group_name} xml", mid, [mid]), "group create XML")
    root = xml_answer(*request("POST", "/api/2.0/group.xml", {"groupName": f"{group_name} empty", "members": []}, xml_path), 201, "group create .xml")
    empty = read_group(ordered(root, ENVELOPE, "group create .xml")["response"][0], "group create .xml")
    check((empty["Manager"], empty["Members"]), (None, []), "a group without members is <Members />")

    # The product's "Add a user" with every documented field.
    person_body = {
        "isVisitor": False,
        "email": f"anna.brown@{DOMAIN}",
        "firstname": "Anna",
        "lastname": "Brown",
        "department": [mixed_case(gid)],
        "title": "Accountant",
        "location": "Riga",
        "sex": "female",
        "birthday": "1985-04-10T06-30-00.000Z",
        "worksfrom": "2008-04-10T06-30-00.000Z",
        "comment": "Added as the product's documentation does",
        "contacts": [{"Type": "skype", "Value": "anna.brown"}, {"Type": "phone", "Value": "+371 000000"}],
        "files": "https://example.com/avatars/anna.png",
    }
    created = json_answer(*request("POST", "/api/2.0/people", person_body, as_json), 201, "Add a user")
    person = created["response"]
    pid = person["Id"]
    check(
        (person["UserName"], person["DisplayName"], person["Title"], person["Location"], person["Sex"], person["Notes"]),
        ("anna.brown", "Anna Brown", "Accountant", "Riga", "female", person_body["comment"]),
        "Add a user: the profile",
    )
    check((person["Birthday"], person["WorkFrom"]), ("1985-04-10T06:30:00.0000000Z", "2008-04-10T06:30:00.0000000Z"), "ApiDateTime in, the product's form out")
    check(person["Contacts"], person_body["contacts"], "contacts")
    check([g["Id"] for g in person["Groups"]], [gid], "department puts the person in the group")
    check(person["Department"], group_name, "Department names the groups")

    # The same request answered as XML (by Accept, then by the .xml path).
    xml_body = dict(person_body, email=f"anna.xml@{DOMAIN}")
    root = xml_answer(*request("POST", "/api/2.0/people", xml_body, as_xml), 201, "Add a user XML")
    xml_person = read_person(ordered(root, ENVELOPE, "Add a user XML")["response"][0], "Add a user XML person")
    check((xml_person["UserName"], xml_person["Birthday"], xml_person["Domain"]), ("anna.xml", "1985-04-10T06:30:00.0000000Z", DOMAIN), "Add a user XML")
    check(xml_person["Contacts"], person_body["contacts"], "Add a user XML contacts")
    root = xml_answer(*request("POST", "/api/2.0/people.xml", dict(person_body, email=f"anna.path@{DOMAIN}"), xml_path), 201, "Add a user .xml")
    read_person(ordered(root, ENVELOPE, "Add a user .xml")["response"][0], "Add a user .xml person")

    # GET /api/2.0/people/{id}: JSON and XML carry the same profile.
    got = json_answer(*request("GET", f"/api/2.0/people/{pid}", headers=as_json), 200, "Get a profile")["response"]
    check(got, person, "Get a profile answers what Add a user did")
    root = xml_answer(*request("GET", f"/api/2.0/people/{pid}", headers=as_xml), 200, "Get a profile XML")
    same_person(read_person(ordered(root, ENVELOPE, "Get a profile XML")["response"][0], "Get a profile XML"), got, "Get a profile XML")

    # The product's "Update a user": a lead, terminated (Terminated and Lead
    # then in their places), a title with characters XML 1.0 cannot carry
    # (the JSON keeps them, the XML drops them) and markup to escape; read
    # by GUID in quotes, with Bearer, as application/xml.
    update = {"isVisitor": False, "firstname": "Anna", "lastname": "Brown <&> Co", "title": "Acc\u0001ount\u001fant", "disable": True, "lead": mid}
    updated = json_answer(*request("PUT", f"/api/2.0/people/{pid}", update, as_json), 200, "Update a user")["response"]
    check((updated["Status"], updated["Lead"], updated["Title"], updated["LastName"]), (2, mid, "Acc\u0001ount\u001fant", "Brown <&> Co"), "Update a user")
    root = xml_answer(
        *request("GET", f"/api/2.0/people/%22{pid.upper()}%22", headers={"Authorization": f"Bearer {token}", "Accept": "application/xml"}),
        200,
        "Update a user, read as XML",
    )
    xml_person = read_person(ordered(root, ENVELOPE, "Update a user XML")["response"][0], "Update a user XML")
    check((xml_person["Status"], xml_person["Lead"], xml_person["Title"], xml_person["LastName"]), ("2", mid, "Accountant", "Brown <&> Co"), "Update a user XML")
    if not xml_person.get("Terminated"):
        raise AssertionError("a terminated person has <Terminated>")
    json_answer(*request("PUT", f"/api/2.0/people/{pid}", {"disable": False, "title": "Accountant"}, as_json), 200, "Update a user back")

    # The seed's group update, as sent: quoted mixed-case GUIDs in the path
    # and body, Accept: application/json.
    seed_body = {"groupManager": mixed_case(pid), "groupName": "some text", "members": [mixed_case(pid)]}
    path = f"/api/2.0/group/%22{mixed_case(gid)}%22"
    updated = json_answer(*request("PUT", path, seed_body, {"Authorization": token, "Content-Type": "application/json", "Accept": "application/json"}), 200, "the seed's update")
    group = updated["response"]
    check((group["Id"], group["Name"], group["Manager"]["Id"], [m["Id"] for m in group["Members"]]), (gid, "some text", pid, [pid]), "the seed's update")
    # And answered as XML, as the seed shows it.
    root = xml_answer(*request("PUT", path, seed_body, {"Authorization": token, "Content-Type": "application/json", "Accept": "text/xml"}), 200, "the seed's update XML")
    xml_group = read_group(ordered(root, ENVELOPE, "the seed's update XML")["response"][0], "the seed's update XML")
    check((xml_group["Id"], xml_group["Name"], xml_group["Manager"]["Id"], [m["Id"] for m in xml_group["Members"]]), (gid, "some text", pid, [pid]), "the seed's update XML")

    # Group get and list, JSON and XML.
    got = json_answer(*request("GET", f"/api/2.0/group/{gid}", headers=as_json), 200, "group get")["response"]
    root = xml_answer(*request("GET", f"/api/2.0/group/{gid}", headers=as_xml), 200, "group get XML")
    xml_group = read_group(ordered(root, ENVELOPE, "group get XML")["response"][0], "group get XML")
    check(xml_group, got, "group get: XML and JSON agree")
    listed = json_answer(*request("GET", f"/api/2.0/group?filterValue={urllib.parse.quote(TAG)}", headers=as_json), 200, "group list")
    check(sorted(g["Name"] for g in listed["response"]), sorted([f"{group_name} xml", f"{group_name} empty"]), "group list by name")
    for what, headers, list_path in (
        ("group list XML", as_xml, "/api/2.0/group"),
        ("group list .xml", xml_path, "/api/2.0/group.xml"),
    ):
        root = xml_answer(*request("GET", f"{list_path}?filterValue={urllib.parse.quote(TAG)}", headers=headers), 200, what)
        fields = ordered(root, LIST_ENVELOPE, what)
        check((text(fields, "count"), text(fields, "total"), text(fields, "statusCode")), ("2", "2", "200"), f"{what}: envelope")
        check(sorted(text(ordered(g, GROUP_SUMMARY, what), "Name") for g in fields["response"]), sorted([f"{group_name} xml", f"{group_name} empty"]), what)
    root = xml_answer(*request("GET", "/api/2.0/group.xml?filterValue=nothing-matches-this", headers=xml_path), 200, "an empty page")
    fields = ordered(root, LIST_ENVELOPE, "an empty page")
    check((text(fields, "count"), len(fields["response"]), len(fields["response"][0])), ("0", 1, 0), "an empty page is one empty <response />")

    # The people list in XML: every profile in order.
    root = xml_answer(*request("GET", f"/api/2.0/people.xml?filterValue={urllib.parse.quote(DOMAIN)}&sortBy=UserName", headers=xml_path), 200, "people list .xml")
    fields = ordered(root, LIST_ENVELOPE, "people list .xml")
    names = [read_person(p, "people list .xml person")["UserName"] for p in fields["response"]]
    check(names, ["anna.brown", "anna.path", "anna.xml", "mike.zanyatski"], "people list .xml")

    # Content negotiation: what a client accepts decides the format.
    def content_type(accept):
        status, ctype, _ = request("GET", f"/api/2.0/group?filterValue={urllib.parse.quote(TAG)}", headers={"Authorization": token, "Accept": accept})
        check(status, 200, f"Accept: {accept}")
        return ctype.split(";")[0]

    check(content_type("*/*"), "application/json", "Accept: */* gets JSON, the default")
    check(content_type("application/xml"), "text/xml", "Accept: application/xml gets XML")
    check(content_type("application/json"), "application/json", "Accept: application/json gets JSON")
    # Quality values (RFC 9110 12.4.2, 12.5.1): a client that prefers JSON,
    # or refuses XML with q=0, is answered JSON; so is the PHP client
    # openapi-generator emits, which prefers JSON slightly.
    check(content_type("application/json;q=0.9, text/xml;q=0.1"), "application/json", "q-values: JSON preferred")
    check(content_type("text/xml;q=0, application/json"), "application/json", "q=0 refuses XML")
    check(content_type("text/xml;q=0"), "application/json", "q=0 refuses XML (JSON, the default)")
    check(content_type("application/json,text/xml;q=0.9"), "application/json", "the PHP client's Accept")
    check(content_type("text/xml;q=0.9, application/json;q=0.5"), "text/xml", "q-values: XML preferred")

    # Errors in the product's envelope, JSON and XML.
    status, _, body = request("GET", f"/api/2.0/group/{UNKNOWN_GUID}", headers=as_json)
    check((status, json.loads(body)["status"], json.loads(body)["statusCode"]), (404, 1, 404), "404 envelope")
    root = xml_answer(*request("GET", f"/api/2.0/people/{UNKNOWN_GUID}", headers=as_xml), 404, "404 XML")
    fields = ordered(root, ERROR_ENVELOPE, "404 XML")
    check(text(ordered(fields["error"][0], [("message", True, False)], "404 XML error"), "message"), "User not found", "404 XML message")
    root = xml_answer(*request("GET", "/api/2.0/group.xml", headers={}), 401, "401 XML")
    check(text(ordered(root, ERROR_ENVELOPE, "401 XML"), "statusCode"), "401", "401 XML statusCode")
    # The product answers 500 when members is missing; hostadmin 400.
    status, _, body = request("PUT", f"/api/2.0/group/{gid}", {"groupName": "no members"}, as_json)
    check((status, json.loads(body)["statusCode"]), (400, 400), "an update without members")

    # Cleaning up: groups (answered without members, here as XML), people,
    # then the domain and the server.
    # Only what this run made (names carry its tag; "some text" is gid).
    groups = json_answer(*request("GET", f"/api/2.0/group?count=1000&filterValue={urllib.parse.quote(TAG)}", headers=as_json), 200, "the run's groups")["response"]
    for g in groups + [{"Id": gid}]:
        root = xml_answer(*request("DELETE", f"/api/2.0/group/{g['Id']}", headers=as_xml), 200, "group delete XML")
        deleted = read_group(ordered(root, ENVELOPE, "group delete XML")["response"][0], "group delete XML")
        check((deleted["Id"], deleted["Members"]), (g["Id"], []), "a deleted group is answered without members")
    people = json_answer(
        *request("GET", f"/api/2.0/people?employeeStatus=All&count=1000&filterValue={urllib.parse.quote(DOMAIN)}", headers=as_json), 200, "the run's people"
    )["response"]
    check(len(people), 4, "the run's people")
    for p in people:
        json_answer(*request("DELETE", f"/api/2.0/people/{p['Id']}", headers=as_json), 200, "person delete")
    status, _, _ = request("DELETE", f"/api/domains/{domain_code}", headers={"X-Api-Token": API_TOKEN})
    check(status, 204, "domain delete")
    status, _, _ = request(
        "DELETE",
        f"/api/v1/system/servers/{server_id}",
        headers={"Cookie": f"grommunioAuthJwt={session['grommunioAuthJwt']}", "X-Csrf-Token": session["csrf"]},
    )
    check(status, 200, "server delete")
    print("replay.py: ONLYOFFICE's people and group requests replayed; JSON and XML read in the product's order")


if __name__ == "__main__":
    main()
