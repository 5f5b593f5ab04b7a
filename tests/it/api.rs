//! The JSON API: tokens, the OpenAPI document, refusals.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::{Client, TestApp};

async fn token(app: &TestApp, c: &mut Client, name: &str) -> String {
    c.get("/account/tokens").await;
    let r = c
        .post("/account/tokens", &[("name", name), ("expiry", "90")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let start =
        r.body.find("id=\"new-token\">").expect("token shown once") + "id=\"new-token\">".len();
    let t = r.body[start..].split('<').next().expect("token").to_owned();
    assert!(t.starts_with("masa_"));
    let stored: i64 = app
        .state
        .db
        .fetch_one(
            "SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = $1",
            masa::args![t.as_str()],
        )
        .await
        .expect("q")
        .get("n")
        .expect("n");
    assert_eq!(stored, 0, "the token is stored in the clear");
    t
}

both_engines!(tokens_work_until_revoked, |app| {
    let mut c = app.signed_in("scrutineer@plymouth.example").await;
    let t = token(&app, &mut c, "data warehouse").await;
    let mut api = app.client();
    api.bearer = Some(t);
    let me = api.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let v: serde_json::Value = serde_json::from_str(&me.body).expect("json");
    assert_eq!(v["email"], "scrutineer@plymouth.example");
    assert_eq!(v["role"], "scrutineer");
    assert_eq!(v["partnership"]["slug"], "plymouth");
    let people: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/people").await.body).expect("json");
    assert_eq!(people.as_array().map(Vec::len), Some(4));
    let audit = api
        .get("/api/v1/audit?record_type=membership&limit=2")
        .await;
    let a: serde_json::Value = serde_json::from_str(&audit.body).expect("json");
    assert_eq!(a["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        a["total"].as_i64(),
        Some(4),
        "one entry per Plymouth membership"
    );
    let bad = api.get("/api/v1/audit?limit=0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("limit must be from 1 to 1000"),
        "{}",
        bad.body
    );
    let bad = api.get("/api/v1/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Revoke it.
    let page = c.get("/account/tokens").await;
    let i = page.body.find("/account/tokens/").expect("revoke form") + "/account/tokens/".len();
    let id = page.body[i..].split('/').next().expect("id").to_owned();
    let r = c.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = api.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Bearer"), "{}", r.body);
});

both_engines!(the_api_ignores_cookies, |app| {
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    let r = c.get("/api/v1/people").await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a session cookie opened the API"
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_matches_the_routes_and_the_snapshot() {
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    let r = app.client().get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let documented: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    for (_, path, _) in masa::app::route_table() {
        if path.starts_with("/api/v1/") && path != "/api/v1/openapi.json" {
            assert!(
                documented.iter().any(|d| d == path),
                "{path} is not in the OpenAPI document"
            );
        }
    }
    insta::assert_json_snapshot!("openapi", doc);
}
