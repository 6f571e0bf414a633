//! Password checks run on the service's checker threads, with memory sized
//! from each stored hash's own parameters.

mod common;

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use common::TestServer;
use diesel::prelude::*;

/// An account whose hash was made elsewhere, with other parameters.
fn add_with_hash(t: &TestServer, name: &str, algorithm: Algorithm, params: Params, password: &str) {
    let salt = SaltString::encode_b64(b"a fixed salt for tests").unwrap();
    let hash = Argon2::new(algorithm, Version::V0x13, params).hash_password(password.as_bytes(), &salt).unwrap();
    use hostadmin_server::schema::accounts;
    diesel::insert_into(accounts::table)
        .values((
            accounts::name.eq(name),
            accounts::role.eq("admin"),
            accounts::password_hash.eq(hash.to_string()),
            accounts::created_at.eq(0_i64),
        ))
        .execute(&mut t.db())
        .unwrap();
}

async fn login_status(t: &TestServer, user: &str, pass: &str) -> u16 {
    t.http()
        .post(format!("{}/api/v1/login", t.url))
        .form(&[("user", user), ("pass", pass)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn hashes_with_other_parameters_and_variants_verify() {
    let t = TestServer::start().await;
    add_with_hash(&t, "small", Algorithm::Argon2id, Params::new(8 * 1024, 3, 1, Some(32)).unwrap(), "small-pass");
    add_with_hash(&t, "large", Algorithm::Argon2id, Params::new(32 * 1024, 1, 2, Some(16)).unwrap(), "large-pass");
    add_with_hash(&t, "legacy", Algorithm::Argon2i, Params::new(4 * 1024, 2, 1, None).unwrap(), "legacy-pass");
    for (user, pass) in [("small", "small-pass"), ("large", "large-pass"), ("legacy", "legacy-pass")] {
        assert_eq!(login_status(&t, user, pass).await, 200, "{user}");
        assert_eq!(login_status(&t, user, &format!("{pass}x")).await, 401, "{user}, wrong password");
    }
    // The default account again, after the buffers were resized for others.
    assert_eq!(login_status(&t, common::ADMIN.0, common::ADMIN.1).await, 200);
}

#[tokio::test]
async fn concurrent_logins_queue_and_each_gets_its_own_answer() {
    let t = TestServer::start_with(|c| {
        c.login_throttle.per_user = 1_000;
        c.login_throttle.per_address = 1_000;
    })
    .await;
    let attempts: Vec<_> = (0..24)
        .map(|i| {
            let (url, http) = (t.url.clone(), t.http());
            let pass = if i % 3 == 0 { "wrong" } else { common::ADMIN.1 };
            tokio::spawn(async move {
                http.post(format!("{url}/api/v1/login"))
                    .form(&[("user", common::ADMIN.0), ("pass", pass)])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for (i, attempt) in attempts.into_iter().enumerate() {
        let expected = if i % 3 == 0 { 401 } else { 200 };
        assert_eq!(attempt.await.unwrap(), expected, "attempt {i}");
    }
}
