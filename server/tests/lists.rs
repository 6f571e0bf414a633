//! The server list's shortcuts (migration 4: stored counts, ID blocks; migration 9:
//! the gram index of `match`) give the same answers as the plain scan they replace.

mod common;

use common::{TestServer, ADMIN};
use diesel::prelude::*;
use serde_json::Value;

/// Servers `first..=last` inserted through the service's own query function
/// (so every trigger runs), with mixed-case external names.
fn insert_servers(t: &TestServer, first: usize, last: usize) {
    let mut conn = t.server.app_private().pool.get().unwrap();
    hostadmin_server::db::write_transaction(&mut conn, |c| {
        for i in first..=last {
            hostadmin_server::servers::insert(c, &format!("h{i:05}.lists.test"), &format!("Mail{i:05}.Lists.TEST"))
                .map_err(|_| diesel::result::Error::RollbackTransaction)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
}

async fn list(t: &TestServer, jwt: &str, query: &str) -> Value {
    let answer = t
        .http()
        .get(format!("{}/api/v1/system/servers?{query}", t.url))
        .header("Cookie", format!("grommunioAuthJwt={jwt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200, "{query}");
    answer.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["data"].as_array().unwrap().iter().map(|s| s["ID"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn id_pages_agree_with_a_full_scan_across_blocks_and_gaps() {
    let t = TestServer::start().await;
    let jwt = t.login(ADMIN).await.grommunio_auth_jwt;
    insert_servers(&t, 1, 3_000);
    // Gaps: most of the second block (IDs 1024..2047), a block boundary, and
    // every seventh server elsewhere.
    let gone: Vec<i64> =
        (1..=3_000).filter(|&i| (1030..2040).contains(&i) || i == 1023 || i == 2048 || i % 7 == 0).collect();
    let mut conn = t.server.app_private().pool.get().unwrap();
    for &id in &gone {
        hostadmin_server::servers::remove(&mut conn, id).unwrap();
    }
    let kept: Vec<i64> = (1..=3_000).filter(|i| !gone.contains(i)).collect();
    let n = kept.len() as i64;

    for (sort, expected) in [("", kept.clone()), ("&sort=ID,desc", kept.iter().rev().copied().collect())] {
        for offset in [0, 1, 49, 590, 591, 1022, 1023, 1024, 1500, n - 51, n - 1, n, n + 10] {
            for limit in [1, 50] {
                let page = list(&t, &jwt, &format!("limit={limit}&offset={offset}{sort}")).await;
                let from = (offset as usize).min(expected.len());
                let to = (from + limit).min(expected.len());
                assert_eq!(ids(&page), expected[from..to].to_vec(), "offset {offset} limit {limit} {sort}");
                assert_eq!(page["count"], n, "the count, summed from blocks");
            }
        }
    }
    // Another sort takes the general path and agrees too.
    let page = list(&t, &jwt, &format!("limit=3&offset={}&sort=hostname,desc", n - 3)).await;
    assert_eq!(ids(&page), kept[..3].iter().rev().copied().collect::<Vec<_>>());
}

#[tokio::test]
async fn match_finds_substrings_case_insensitively_and_follows_changes() {
    let t = TestServer::start().await;
    let jwt = t.login(ADMIN).await.grommunio_auth_jwt;
    insert_servers(&t, 1, 300);
    let count = |page: &Value| page["count"].as_i64().unwrap();

    // Trigram-indexed (three characters or more), in either field, any case.
    let page = list(&t, &jwt, "match=00123&limit=50").await;
    assert_eq!(ids(&page), vec![123]);
    let page = list(&t, &jwt, "match=LISTS.test&limit=1000").await;
    assert_eq!(count(&page), 300);
    let page = list(&t, &jwt, "match=mail0012&matchFields=extname&limit=50").await;
    assert_eq!(ids(&page), (120..=129).collect::<Vec<_>>());
    let page = list(&t, &jwt, "match=mail0012&matchFields=hostname&limit=50").await;
    assert_eq!(count(&page), 0, "only the named field is searched");
    // Two characters: no trigram, a scan, the same answer.
    let page = list(&t, &jwt, "match=h0029&limit=50").await;
    assert_eq!(ids(&page), (290..=299).collect::<Vec<_>>());
    let page = list(&t, &jwt, "match=29&limit=1000").await;
    let expected: Vec<i64> = (1..=300).filter(|i| format!("{i:05}").contains("29")).collect();
    assert_eq!(ids(&page), expected);

    // `_` and `%` are literal characters, never wildcards.
    let mut conn = t.server.app_private().pool.get().unwrap();
    hostadmin_server::servers::insert(&mut conn, "a_b.lists.test", "x1.example").unwrap();
    hostadmin_server::servers::insert(&mut conn, "axb.lists.test", "x2.example").unwrap();
    hostadmin_server::servers::insert(&mut conn, "100%.lists.test", "x3.example").unwrap();
    assert_eq!(count(&list(&t, &jwt, "match=a_b&limit=50").await), 1);
    assert_eq!(count(&list(&t, &jwt, "match=0%25.&limit=50").await), 1);
    // Nor are quotes and the index's own query syntax.
    hostadmin_server::servers::insert(&mut conn, "q\"uo*t:e^.lists.test", "x4.example").unwrap();
    assert_eq!(count(&list(&t, &jwt, "match=q%22uo&limit=50").await), 1);
    assert_eq!(count(&list(&t, &jwt, "match=o*t:e%5E&limit=50").await), 1);
    assert_eq!(count(&list(&t, &jwt, "match=NEAR(x4&limit=50").await), 0);

    // A rename and a delete are seen by the index at once.
    let five = hostadmin_server::servers::find(&mut conn, 5).unwrap();
    hostadmin_server::servers::rename(&mut conn, &five, "renamed.lists.test", "Mail00005.Lists.TEST").unwrap();
    assert_eq!(count(&list(&t, &jwt, "match=h00005&limit=50").await), 0);
    assert_eq!(ids(&list(&t, &jwt, "match=renamed&limit=50").await), vec![5]);
    hostadmin_server::servers::remove(&mut conn, 5).unwrap();
    assert_eq!(count(&list(&t, &jwt, "match=renamed&limit=50").await), 0);
    assert_eq!(count(&list(&t, &jwt, "match=Mail00005&limit=50").await), 0);
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Recount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    domains: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    users: i64,
}

#[tokio::test]
async fn stored_counts_equal_a_recount_after_every_kind_of_change() {
    let t = TestServer::start().await;
    let jwt = t.login(ADMIN).await.grommunio_auth_jwt;
    insert_servers(&t, 1, 4);
    t.place_domain(1, "a.lists.test", 3);
    t.place_domain(1, "b.lists.test", 1);
    t.place_domain(2, "c.lists.test", 5);
    t.place_domain(3, "d.lists.test", 0);
    let mut conn = t.db();
    for change in [
        // A domain moves with its users; a user moves between domains.
        "UPDATE domains SET server_id = 3 WHERE name = 'a.lists.test'",
        "UPDATE users SET domain_id = (SELECT id FROM domains WHERE name = 'd.lists.test') \
         WHERE username = 'user0@c.lists.test'",
        "DELETE FROM users WHERE username = 'user1@c.lists.test'",
        "DELETE FROM users WHERE domain_id = (SELECT id FROM domains WHERE name = 'b.lists.test')",
        "DELETE FROM domains WHERE name = 'b.lists.test'",
    ] {
        diesel::sql_query(change).execute(&mut conn).unwrap();
    }
    let recount: Vec<Recount> = diesel::sql_query(
        "SELECT s.id, (SELECT COUNT(*) FROM domains d WHERE d.server_id = s.id) AS domains, \
         (SELECT COUNT(*) FROM users u JOIN domains d ON u.domain_id = d.id WHERE d.server_id = s.id) AS users \
         FROM servers s ORDER BY s.id",
    )
    .load(&mut conn)
    .unwrap();
    let page = list(&t, &jwt, "level=2&limit=50").await;
    let served: Vec<Recount> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Recount {
            id: s["ID"].as_i64().unwrap(),
            domains: s["domains"].as_i64().unwrap(),
            users: s["users"].as_i64().unwrap(),
        })
        .collect();
    assert_eq!(served, recount);
    assert_eq!(served.iter().map(|s| s.users).collect::<Vec<_>>(), vec![0, 3, 4, 0], "the changes were counted");
    // The sort by users (indexed now) follows the stored counts.
    let page = list(&t, &jwt, "level=2&limit=50&sort=users,desc").await;
    assert_eq!(ids(&page), vec![3, 2, 1, 4]);
}

/// grommunio's published filters: `description` (the external name) and
/// `users` (a count or an `intRange`, `MIN,MAX`).
#[tokio::test]
async fn description_and_users_range_filters() {
    let t = TestServer::start().await;
    let jwt = t.login(ADMIN).await.grommunio_auth_jwt;
    for (name, users) in [("a", 0), ("b", 1), ("c", 3), ("d", 5)] {
        let id = t.add_server(name).await;
        if users > 0 {
            t.place_domain(id, &format!("{name}.example.org"), users);
        }
    }
    let names = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|s| s["hostname"].as_str().unwrap().to_string()).collect()
    };
    for (query, expected, count) in [
        ("description=c.example", vec!["c"], 1),
        ("description=C.EXAMPLE", vec![], 0),
        ("description=c.example&extname=c.example", vec!["c"], 1),
        ("description=c.example&extname=d.example", vec![], 0),
        ("users=3", vec!["c"], 1),
        ("users=0", vec!["a"], 1),
        ("users=1,3", vec!["b", "c"], 2),
        ("users=1%2C5&sort=users,desc", vec!["d", "c", "b"], 3),
        ("users=1&users=3", vec!["b", "c"], 2),
        ("users=2,2", vec![], 0),
        // A reversed range is what the spec admits and grommunio answers: nothing.
        ("users=5,1", vec![], 0),
        ("users=0,100&limit=1", vec!["a"], 4),
        ("users=1,5&description=d.example", vec!["d"], 1),
    ] {
        let page = list(&t, &jwt, query).await;
        assert_eq!(names(&page), expected, "{query}");
        assert_eq!(page["count"], count, "{query}");
    }
    // Malformed ranges: 400 in grommunio's shape, naming the parameter.
    for query in ["users=1,2,3", "users=a", "users=1,", "users=", "users=-1", "users=1,x", "users=1&users=2&users=3"] {
        let r = t
            .http()
            .get(format!("{}/api/v1/system/servers?{query}", t.url))
            .header("Cookie", format!("grommunioAuthJwt={jwt}"))
            .send()
            .await
            .unwrap();
        let (status, body) = common::status_json(r).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["message"], "Bad Request", "{query}: {body}");
        let errors = body["errors"].as_array().unwrap_or_else(|| panic!("{query}: {body}"));
        assert!(errors.iter().any(|e| e.as_str().unwrap().starts_with("users")), "{query}: {body}");
    }
}

/// A NUL in a search string would cut the LIKE pattern short (matching
/// every row) or break the trigram index: each surface refuses it, in its
/// own error shape, before any query runs.
#[tokio::test]
async fn a_nul_in_a_search_is_refused_on_every_surface() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    let grommunio =
        common::with_session(t.http().get(format!("{}/api/v1/system/servers?match=a%00b", t.url)), &session, false);
    let (status, body) = common::status_json(grommunio.send().await.unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"].to_string().contains("match"), "{body}");

    let token = t.account_token(ADMIN.0);
    let qboxmail = t.api(reqwest::Method::GET, "/api/managers?query=a%00b", &token);
    let (status, body) = common::status_json(qboxmail.send().await.unwrap()).await;
    assert!(status == 400 || status == 422, "{status} {body}");
    assert!(body.to_string().contains("query"), "{body}");

    let oo_token = common::onlyoffice::authenticate(&t, ADMIN.0, ADMIN.1).await;
    let onlyoffice =
        t.http().get(format!("{}/api/2.0/group?filterValue=a%00b", t.url)).header("Authorization", oo_token);
    let (status, body) = common::status_json(onlyoffice.send().await.unwrap()).await;
    assert_eq!((status, body["status"].clone()), (400, serde_json::json!(1)), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("filterValue"), "{body}");
}

#[derive(QueryableByName)]
struct Tally {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn tally(conn: &mut hostadmin_server::db::Conn, query: &str) -> i64 {
    diesel::sql_query(query).get_result::<Tally>(conn).unwrap().n
}

/// SQLite writes `match`'s gram index once per transaction (migration 11):
/// the renames of one shared commit are all found, a rename rolled back to
/// its savepoint leaves nothing behind, and a change committed by another
/// program is found too, until the next write brings the index up to date.
#[tokio::test]
async fn match_follows_every_write_of_a_shared_commit_and_changes_made_elsewhere() {
    let t = TestServer::start().await;
    let session = t.login(ADMIN).await;
    insert_servers(&t, 1, 40);
    let count = |page: &Value| page["count"].as_i64().unwrap();

    // 32 renames sent at once share commits; four more are refused (a taken name)
    // inside the same batches.
    let rename = |id: i64, hostname: String| {
        let rb = t
            .http()
            .patch(format!("{}/api/v1/system/servers/{id}", t.url))
            .json(&serde_json::json!({ "hostname": hostname }));
        common::with_session(rb, &session, true).send()
    };
    let sent = (1..=36).map(|id| {
        let hostname = if id <= 32 { format!("moved{id:03}.lists.test") } else { "h00040.lists.test".into() };
        rename(id, hostname)
    });
    let statuses: Vec<u16> =
        futures::future::join_all(sent).await.iter().map(|r| r.as_ref().unwrap().status().as_u16()).collect();
    assert_eq!(statuses, [[200; 32].as_slice(), &[400; 4]].concat());

    let jwt = &session.grommunio_auth_jwt;
    assert_eq!(ids(&list(&t, jwt, "match=MOVED0&limit=50").await), (1..=32).collect::<Vec<_>>());
    assert_eq!(count(&list(&t, jwt, "match=h00001.&limit=50").await), 0, "the old name is gone");
    assert_eq!(ids(&list(&t, jwt, "match=h0003&limit=50").await), (33..=39).collect::<Vec<_>>());
    assert_eq!(ids(&list(&t, jwt, "match=h00040&limit=50").await), vec![40], "the failed renames left nothing");

    if t.database.is_postgres() {
        return; // PostgreSQL's GIN index is an expression index, always current.
    }
    // Settled at each commit: nothing noted, and the index alone finds them.
    let mut conn = t.db();
    // One index row per name (migration 12): 2 × ID for the hostname, 2 × ID + 1 for the external name.
    let stale = "SELECT count(*) AS n FROM servers_search_stale";
    let indexed = |needle: &str| {
        format!(
            "SELECT count(DISTINCT rowid / 2) AS n FROM servers_search_grams \
             WHERE servers_search_grams MATCH '\"' || hex('{needle}') || '\" *'"
        )
    };
    assert_eq!(tally(&mut conn, stale), 0);
    assert_eq!(tally(&mut conn, &indexed("moved0")), 32);
    assert_eq!(tally(&mut conn, &indexed("h00040.l")), 1);

    // A change committed outside the service's writer (as the CLI or another
    // program would) is only noted, and found all the same.
    let seven = hostadmin_server::servers::find(&mut conn, 7).unwrap();
    hostadmin_server::servers::rename(&mut conn, &seven, "elsewhere.lists.test", &seven.extname).unwrap();
    hostadmin_server::servers::remove(&mut conn, 8).unwrap();
    // Server 7's hostname, and both names of server 8.
    assert_eq!(tally(&mut conn, stale), 3);
    assert_eq!(tally(&mut conn, &indexed("elsewher")), 0);
    assert_eq!(ids(&list(&t, jwt, "match=elsewhere&limit=50").await), vec![7]);
    assert_eq!(count(&list(&t, jwt, "match=moved008&limit=50").await), 0);

    // The service's next write brings the index up to date.
    assert_eq!(t.post_server(&session, "next.lists.test").await.status().as_u16(), 201);
    assert_eq!(tally(&mut conn, stale), 0);
    assert_eq!(tally(&mut conn, &indexed("elsewher")), 1);
    assert_eq!(tally(&mut conn, &indexed("moved008")), 0);
    assert_eq!(tally(&mut conn, &indexed("moved007")), 0);
    assert_eq!(ids(&list(&t, jwt, "match=elsewhere&limit=50").await), vec![7]);
    assert_eq!(count(&list(&t, jwt, "match=next.lists&limit=50").await), 1);
}

/// Segments of `match`'s gram index (SQLite), as its `_idx` table lists them.
fn gram_segments(conn: &mut hostadmin_server::db::Conn) -> i64 {
    #[derive(QueryableByName)]
    struct Segments {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(DISTINCT segid) AS n FROM servers_search_grams_idx")
        .get_result::<Segments>(conn)
        .unwrap()
        .n
}

/// The service merges `match`'s gram index when writes stop (migration
/// 13): an index left in many segments by writes of their own transaction
/// (another program's here, before the service starts) is one segment a
/// moment after it starts, `match` still finds every server and no other,
/// and a write made meanwhile or after is found as well. The real binary,
/// on a file of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_service_merges_the_gram_index_and_match_still_finds_every_server() {
    if common::sqlite_only("the gram index's segments are FTS5's") {
        return;
    }
    let database = common::TestDb::new();
    let db = database.url();
    common::add_admin(&db);
    let mut conn = database.conn();
    for i in 0..60 {
        hostadmin_server::db::write_transaction(&mut conn, |c| {
            hostadmin_server::servers::insert(c, &format!("seg{i:03}.tidy.test"), &format!("Ext{i:03}.tidy.example"))
                .map_err(|_| diesel::result::Error::RollbackTransaction)
        })
        .unwrap();
    }
    let before = gram_segments(&mut conn);
    assert!(before > 2, "sixty transactions left {before} segment(s)");

    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let log = database.dir.path().join("server.log");
    let (child, url) = common::spawn_server(&db, &log, &[]);
    let _child = Reaped(child);
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap();
    let session = common::login(&http, &url).await;
    let post = common::with_session(
        http.post(format!("{url}/api/v1/system/servers"))
            .json(&serde_json::json!({"hostname": "late.tidy.test", "extname": "Late.tidy.example"})),
        &session,
        true,
    );
    assert_eq!(post.send().await.unwrap().status().as_u16(), 201);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while gram_segments(&mut conn) > 1 {
        assert!(std::time::Instant::now() < deadline, "still {} segments", gram_segments(&mut conn));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let found = |needle: String| {
        let rb = http.get(format!("{url}/api/v1/system/servers?limit=100&match={needle}"));
        let rb = common::with_session(rb, &session, false);
        async move {
            let (status, page) = common::status_json(rb.send().await.unwrap()).await;
            assert_eq!(status, 200, "{page}");
            let mut names: Vec<String> =
                page["data"].as_array().unwrap().iter().map(|s| s["hostname"].as_str().unwrap().to_string()).collect();
            names.sort();
            (page["count"].as_i64().unwrap(), names)
        }
    };
    for i in [0, 17, 59] {
        assert_eq!(found(format!("seg{i:03}")).await, (1, vec![format!("seg{i:03}.tidy.test")]));
        assert_eq!(found(format!("EXT{i:03}.TIDY")).await, (1, vec![format!("seg{i:03}.tidy.test")]));
    }
    assert_eq!(found("seg".into()).await.0, 60);
    assert_eq!(found("late.tidy".into()).await, (1, vec!["late.tidy.test".to_string()]));
    assert_eq!(found("nowhere".into()).await, (0, vec![]));
}
