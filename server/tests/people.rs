//! People as ONLYOFFICE's `EmployeeApi` serves them, over HTTP: the
//! product's "Add a user" request, its profile in JSON and in XML (in the
//! product's element order), the lookups, updates, status changes and
//! every documented error; the one store (a person on a hosting domain
//! counts on its server); and people stored before profiles existed.

mod common;

use common::onlyoffice::{element_names, error_message, json_and_xml_agree, Oo};
use common::{TestDb, ADMIN, READER};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn users_on_mail01(oo: &Oo) -> Option<i64> {
    let admin = oo.t.session(ADMIN).await;
    admin.server_list().level(2).send().await.unwrap().into_inner().data[0].users
}

/// The product's own "Add a user" request, every documented field.
fn mike(department: &str) -> Value {
    json!({
        "isVisitor": false,
        "email": "Mike.Zanyatski@Example.com",
        "firstname": "Mike",
        "lastname": "Zanyatski",
        "department": [department],
        "title": "Manager",
        "location": "Palo Alto",
        "sex": "male",
        "birthday": "1980-04-10",
        "worksfrom": "2020-01-15T09-30-00.000Z",
        "comment": "Notes to worker",
        "contacts": [{"Type": "skype", "Value": "mike.z"}],
        "files": "https://example.com/avatar.png",
        "password": "a-long-password-1"
    })
}

#[tokio::test]
async fn adding_a_user_as_the_product_documents_it() {
    let oo = Oo::start().await;
    let sales = oo.group("Sales", None, &[]).await["Id"].as_str().unwrap().to_string();
    let p = oo.ok(Method::POST, "/api/2.0/people", Some(mike(&sales)), 201).await;
    let expected = json!({
        "DisplayName": "Mike Zanyatski", "Title": "Manager", "IsVisitor": false,
        "UserName": "mike.zanyatski", "ActivationStatus": 1, "Birthday": "1980-04-10T00:00:00.0000000Z",
        "Department": "Sales", "Email": "mike.zanyatski@example.com", "FirstName": "Mike", "LastName": "Zanyatski",
        "Location": "Palo Alto", "Notes": "Notes to worker", "Sex": "male", "Status": 1,
        "WorkFrom": "2020-01-15T09:30:00.0000000Z", "Contacts": [{"Type": "skype", "Value": "mike.z"}],
        "IsAdmin": false, "IsLDAP": false, "IsOwner": false, "IsSSO": false,
        "Domain": "example.com", "DomainCode": oo.domain,
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&p[key], value, "{key} in {p}");
    }
    assert_eq!(p["Groups"][0]["Id"], sales.as_str());
    assert_eq!(p["ProfileUrl"], "/Products/People/Profile.aspx?user=mike.zanyatski");
    assert!(p.get("Terminated").is_none() && p.get("Lead").is_none(), "empty optional members are left out: {p}");
    assert!(!p.to_string().to_lowercase().contains("password"), "the password is never answered: {p}");
    assert_eq!(users_on_mail01(&oo).await, Some(1), "a person on a hosting domain counts on its server");

    // The password is stored as an argon2id hash; the group holds the person.
    use hostadmin_server::schema::users;
    let stored: Option<String> = users::table
        .filter(users::guid.eq(p["Id"].as_str().unwrap()))
        .select(users::password_hash)
        .get_result(&mut oo.t.db())
        .unwrap();
    assert!(stored.unwrap().starts_with("$argon2id$"));
    let group = oo.ok(Method::GET, &format!("/api/2.0/group/{sales}"), None, 200).await;
    assert_eq!(group["Members"][0]["Id"], p["Id"]);

    // The same local part on another domain: the next free user name. A
    // person off the hosting domains is kept, and counts nowhere.
    let other = json!({"email": "mike.zanyatski@elsewhere.org", "firstname": "Mike", "lastname": "Other"});
    let q = oo.ok(Method::POST, "/api/2.0/people", Some(other), 201).await;
    assert_eq!(q["UserName"], "mike.zanyatski1");
    assert_eq!(q["IsVisitor"], false, "isVisitor defaults to false");
    assert!(q.get("Domain").is_none() && q.get("DomainCode").is_none(), "{q}");
    assert!(q["WorkFrom"].as_str().unwrap().ends_with("T00:00:00.0000000Z"), "worksfrom defaults to today");
    assert_eq!(users_on_mail01(&oo).await, Some(1));
}

#[tokio::test]
async fn a_profile_in_xml_comes_in_the_products_member_order() {
    let oo = Oo::start().await;
    let sales = oo.group("Sales", None, &[]).await["Id"].as_str().unwrap().to_string();
    let id = oo.ok(Method::POST, "/api/2.0/people", Some(mike(&sales)), 201).await["Id"].as_str().unwrap().to_string();
    json_and_xml_agree(&oo, &format!("/api/2.0/people/{id}")).await;
    let list = json_and_xml_agree(&oo, "/api/2.0/people").await;
    assert_eq!(list["total"], 1);

    let r =
        oo.request(Method::GET, &format!("/api/2.0/people/{id}")).header("Accept", "text/xml").send().await.unwrap();
    let text = r.text().await.unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let person = doc.root_element().children().find(|c| c.has_tag_name("response")).unwrap();
    // EmployeeWraper's members (by Order), then EmployeeWraperFull's (by
    // Order, then name), then hostadmin's own.
    assert_eq!(
        element_names(person),
        [
            "Id",
            "DisplayName",
            "Title",
            "AvatarSmall",
            "ProfileUrl",
            "IsVisitor",
            "UserName",
            "ActivationStatus",
            "Birthday",
            "Department",
            "Email",
            "FirstName",
            "LastName",
            "Location",
            "Notes",
            "Sex",
            "Status",
            "WorkFrom",
            "Contacts",
            "Avatar",
            "AvatarMedium",
            "Groups",
            "IsAdmin",
            "IsLDAP",
            "IsOwner",
            "IsSSO",
            "Domain",
            "DomainCode"
        ],
        "{text}"
    );
    let contact = person.children().find(|c| c.has_tag_name("Contacts")).unwrap();
    assert_eq!(element_names(contact), ["Type", "Value"]);
}

#[tokio::test]
async fn lookups_by_guid_user_name_email_and_self() {
    let oo = Oo::start().await;
    let anna = oo.person("anna").await;
    for path in [
        format!("/api/2.0/people/{anna}"),
        format!("/api/2.0/people/{}", anna.to_uppercase()),
        format!("/api/2.0/people/%22{anna}%22"),
        "/api/2.0/people/anna".to_string(),
        "/api/2.0/people/email?email=ANNA@example.com".to_string(),
    ] {
        let p = oo.ok(Method::GET, &path, None, 200).await;
        assert_eq!(p["Id"], anna.as_str(), "{path}");
    }

    // `@self`: the person named like the caller's account, when there is one.
    let (status, e) = oo.call(Method::GET, "/api/2.0/people/@self", None).await;
    assert_eq!((status, error_message(&e, 404)), (404, "User not found".to_string()));
    let admin = oo.person(ADMIN.0).await;
    assert_eq!(oo.ok(Method::GET, "/api/2.0/people/@self", None, 200).await["Id"], admin.as_str());

    let (status, e) = oo.call(Method::GET, "/api/2.0/people/email", None).await;
    assert_eq!(status, 400);
    assert!(error_message(&e, 400).contains("email"), "{e}");
    for missing in ["/api/2.0/people/email?email=nobody@example.com", "/api/2.0/people/nobody"] {
        let (status, e) = oo.call(Method::GET, missing, None).await;
        assert_eq!((status, error_message(&e, 404)), (404, "User not found".to_string()), "{missing}");
    }
    let missing = "00000000-0000-4000-8000-000000000000";
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let body = (method == Method::PUT).then(|| json!({"title": "x"}));
        let (status, _) = oo.call(method.clone(), &format!("/api/2.0/people/{missing}"), body).await;
        assert_eq!(status, 404, "{method}");
    }
}

#[tokio::test]
async fn updates_keep_what_is_not_sent_and_disable_terminates() {
    let oo = Oo::start().await;
    let anna = oo.person("anna").await;
    let a = oo.group("A", Some(&anna), &[&anna]).await["Id"].as_str().unwrap().to_string();
    let b = oo.group("B", None, &[]).await["Id"].as_str().unwrap().to_string();

    let u = oo.ok(Method::PUT, &format!("/api/2.0/people/{anna}"), Some(json!({"title": "Lead"})), 200).await;
    assert_eq!((u["Title"].as_str(), u["DisplayName"].as_str()), (Some("Lead"), Some("ANNA Doe")));
    let u = oo
        .ok(
            Method::PUT,
            &format!("/api/2.0/people/{anna}"),
            Some(json!({"firstname": "Anna", "isVisitor": true, "department": [b]})),
            200,
        )
        .await;
    assert_eq!(
        (u["DisplayName"].as_str(), u["Title"].as_str(), u["IsVisitor"].as_bool()),
        (Some("Anna Doe"), Some("Lead"), Some(true))
    );
    assert_eq!(u["Department"], "B", "department replaces the groups");
    let left = oo.ok(Method::GET, &format!("/api/2.0/group/{a}"), None, 200).await;
    assert!(left.get("Manager").is_none() && left["Members"] == json!([]), "it left A, which lost its manager: {left}");
    let u = oo.ok(Method::PUT, &format!("/api/2.0/people/{anna}"), Some(json!({"title": "Lead 2"})), 200).await;
    assert_eq!(u["IsVisitor"], true, "a missing isVisitor keeps the type");

    // Disabling: status 2 and a date; the default list shows active people.
    let u = oo.ok(Method::PUT, &format!("/api/2.0/people/{anna}"), Some(json!({"disable": true})), 200).await;
    assert_eq!(u["Status"], 2);
    assert!(u["Terminated"].as_str().unwrap().ends_with('Z'));
    let (_, active) = oo.call(Method::GET, "/api/2.0/people", None).await;
    assert_eq!(active["total"], 0);
    let (_, gone) = oo.call(Method::GET, "/api/2.0/people?employeeStatus=Terminated", None).await;
    assert_eq!(gone["response"][0]["Id"], anna.as_str());
    let u = oo.ok(Method::PUT, &format!("/api/2.0/people/{anna}"), Some(json!({"disable": false})), 200).await;
    assert_eq!(u["Status"], 1);
    assert!(u.get("Terminated").is_none());

    let deleted = oo.ok(Method::DELETE, "/api/2.0/people/anna", None, 200).await;
    assert_eq!(deleted["Id"], anna.as_str());
    assert_eq!(users_on_mail01(&oo).await, Some(0));
}

#[tokio::test]
async fn lists_page_sort_and_search() {
    let oo = Oo::start().await;
    for (first, last) in [("Cleo", "Adams"), ("Abel", "Cruz"), ("Bea", "Baker")] {
        let body =
            json!({"email": format!("{}@example.com", first.to_lowercase()), "firstname": first, "lastname": last});
        oo.ok(Method::POST, "/api/2.0/people", Some(body), 201).await;
    }
    let names = |list: &Value| -> Vec<String> {
        list["response"].as_array().unwrap().iter().map(|p| p["FirstName"].as_str().unwrap().to_string()).collect()
    };
    let (_, l) = oo.call(Method::GET, "/api/2.0/people", None).await;
    assert_eq!(names(&l), ["Abel", "Bea", "Cleo"], "by display name");
    let (_, l) = oo.call(Method::GET, "/api/2.0/people?sortBy=LastName", None).await;
    assert_eq!(names(&l), ["Cleo", "Bea", "Abel"]);
    let (_, l) =
        oo.call(Method::GET, "/api/2.0/people?sortBy=Email&sortOrder=descending&count=2&startIndex=1", None).await;
    assert_eq!(
        (names(&l), l["count"].clone(), l["startIndex"].clone(), l["total"].clone()),
        (vec!["Bea".to_string(), "Abel".to_string()], json!(2), json!(1), json!(3))
    );
    let (_, l) = oo.call(Method::GET, "/api/2.0/people?filterValue=BEA@", None).await;
    assert_eq!(names(&l), ["Bea"], "the search covers e-mail addresses");
    let (status, e) = oo.call(Method::GET, "/api/2.0/people?sortBy=Shoe", None).await;
    assert_eq!(status, 400);
    assert!(error_message(&e, 400).contains("sortBy"));
}

#[tokio::test]
async fn bad_requests_are_refused_whole_and_change_nothing() {
    let oo = Oo::start().await;
    oo.person("anna").await;
    let cases = [
        (json!({}), vec!["email", "firstname", "lastname"]),
        (json!({"email": "no-at-sign", "firstname": "A", "lastname": "B"}), vec!["email"]),
        (json!({"email": "ANNA@example.com", "firstname": "A", "lastname": "B"}), vec!["email"]),
        (
            json!({"email": "b@example.com", "firstname": "A", "lastname": "B", "birthday": "2026-02-30"}),
            vec!["birthday"],
        ),
        (
            json!({"email": "b@example.com", "firstname": "A", "lastname": "B", "birthday": "yesterday"}),
            vec!["birthday"],
        ),
        (
            json!({"email": "b@example.com", "firstname": "A", "lastname": "B", "department": ["00000000-0000-4000-8000-000000000001"]}),
            vec!["department[0]"],
        ),
        (json!({"email": "b@example.com", "firstname": "A", "lastname": "B", "sex": "unknown"}), vec!["sex"]),
        (json!({"userName": "b", "displayName": "B", "domainCode": "DD00000000"}), vec!["userName"]),
    ];
    for (body, fields) in cases {
        let (status, e) = oo.call(Method::POST, "/api/2.0/people", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        let message = error_message(&e, 400);
        for field in fields {
            assert!(message.contains(field), "{body}: {message} names {field}");
        }
    }
    let (_, all) = oo.call(Method::GET, "/api/2.0/people?employeeStatus=All", None).await;
    assert_eq!(all["total"], 1, "nothing was added");
    let (status, _) = oo.call(Method::PUT, "/api/2.0/people/anna", Some(json!({"lead": "not-a-guid"}))).await;
    assert_eq!(status, 400);

    // A read-only account reads and cannot write; no token, no answer.
    let reader = common::onlyoffice::authenticate(&oo.t, READER.0, READER.1).await;
    let as_reader =
        |m: Method, path: &str| oo.t.http().request(m, format!("{}{path}", oo.t.url)).header("Authorization", &reader);
    let r = as_reader(Method::GET, "/api/2.0/people/anna").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body = json!({"email": "r@example.com", "firstname": "R", "lastname": "R"});
    let r = as_reader(Method::POST, "/api/2.0/people").json(&body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = as_reader(Method::DELETE, "/api/2.0/people/anna").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = oo.t.http().get(format!("{}/api/2.0/people", oo.t.url)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

/// Adding one e-mail address from many clients at the same moment makes one
/// person; one local part on many domains makes distinct user names.
#[tokio::test]
async fn simultaneous_adds_keep_addresses_and_user_names_unique() {
    let oo = Oo::start().await;
    let same = (0..8).map(|_| {
        oo.call(
            Method::POST,
            "/api/2.0/people",
            Some(json!({"email": "dup@example.com", "firstname": "D", "lastname": "D"})),
        )
    });
    let statuses: Vec<u16> = futures::future::join_all(same).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|&s| s == 201 || s == 400), "{statuses:?}");

    let spread = (0..8).map(|i| {
        oo.call(
            Method::POST,
            "/api/2.0/people",
            Some(json!({"email": format!("sam@d{i}.example.org"), "firstname": "S", "lastname": "S"})),
        )
    });
    let mut names: Vec<String> = futures::future::join_all(spread)
        .await
        .into_iter()
        .map(|(s, b)| {
            assert_eq!(s, 201, "{b}");
            b["response"]["UserName"].as_str().unwrap().to_string()
        })
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 8, "{names:?}");
}

/// People stored before profiles existed (a user name, a display name, a
/// domain) are migrated: an address on their domain, the display name split
/// into first and last name, and their server's count unchanged.
#[test]
fn people_stored_before_profiles_are_migrated() {
    use diesel_migrations::MigrationHarness;
    use hostadmin_server::db::{Conn, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
    let db = TestDb::new();
    let mut conn = db.conn();
    let before = "2026-11-24-000005";
    fn up_to<DB: diesel::backend::Backend>(
        migrations: Vec<Box<dyn diesel::migration::Migration<DB>>>,
        last: &str,
    ) -> Vec<Box<dyn diesel::migration::Migration<DB>>> {
        migrations.into_iter().take_while(|m| m.name().to_string().as_str() <= last).collect()
    }
    match &mut conn {
        Conn::Sqlite(c) => {
            let all = diesel::migration::MigrationSource::migrations(&SQLITE_MIGRATIONS).unwrap();
            diesel::migration::MigrationConnection::setup(c).unwrap();
            c.run_migrations(&up_to(all, before)).unwrap();
        }
        Conn::Pg(c) => {
            let all = diesel::migration::MigrationSource::migrations(&POSTGRES_MIGRATIONS).unwrap();
            diesel::migration::MigrationConnection::setup(c).unwrap();
            c.run_migrations(&up_to(all, before)).unwrap();
        }
    }
    diesel::connection::SimpleConnection::batch_execute(
        &mut conn,
        "INSERT INTO servers (hostname, extname) VALUES ('mail01', 'mail01.example.com');
         INSERT INTO domains (code, name, server_id) VALUES ('DD00000001', 'example.com', (SELECT id FROM servers));
         INSERT INTO users (guid, username, display_name, title, domain_id) VALUES
             ('9924256a-739c-462b-af15-e652a3b1b6eb', 'mike', 'Mike Zanyatski', 'Manager', (SELECT id FROM domains)),
             ('9924256a-739c-462b-af15-e652a3b1b6ec', 'cher', 'Cher', '', (SELECT id FROM domains));
         INSERT INTO groups (guid, name, manager_id) VALUES
             ('1124256a-739c-462b-af15-e652a3b1b6eb', 'Sales', (SELECT id FROM users WHERE username = 'mike'));
         INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM groups g, users u;",
    )
    .unwrap();
    drop(conn);

    // (The file was made by a bare connection, with the process's umask.)
    let options = hostadmin_server::db::DbOptions { allow_readable: true, ..Default::default() };
    let pool = hostadmin_server::db::open(&db.location, &options).unwrap();
    let mut conn = pool.get().unwrap();
    use hostadmin_server::schema::{group_members, groups, servers, users};
    let rows: Vec<(String, String, String, String, Option<i64>, i32)> = users::table
        .order(users::username)
        .select((users::username, users::email, users::first_name, users::last_name, users::domain_id, users::status))
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2.as_str(), rows[0].3.as_str(), rows[0].5),
        ("cher@example.com", "Cher", "", 1)
    );
    assert_eq!((rows[1].1.as_str(), rows[1].2.as_str(), rows[1].3.as_str()), ("mike@example.com", "Mike", "Zanyatski"));
    assert!(rows.iter().all(|r| r.4.is_some()), "they keep their domain");
    let members: i64 = group_members::table.count().get_result(&mut conn).unwrap();
    assert_eq!(members, 2, "memberships survive the rebuild");
    let manager: Option<i64> = groups::table.select(groups::manager_id).get_result(&mut conn).unwrap();
    assert!(manager.is_some());
    let count: i64 = servers::table.select(servers::user_count).get_result(&mut conn).unwrap();
    assert_eq!(count, 2);
}
