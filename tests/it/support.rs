//! Test support: a masa on a real SQLite file or a real PostgreSQL database, a client with a
//! cookie jar that fills in CSRF tokens, sign-in helpers and a small SMTP server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use masa::app::router;
use masa::config::Config;
use masa::demo::Demo;
use masa::state::AppState;
use masa::store::{Db, DbOptions, Engine};
use tower::ServiceExt;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

fn pg_admin_url() -> String {
    std::env::var("MASA_TEST_PG").unwrap_or_else(|_| PG_ADMIN_URL.to_owned())
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub demo: Demo,
    _dir: tempfile::TempDir,
    /// The test's own PostgreSQL database, dropped when the test ends.
    pg_database: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            drop_pg_database(name);
        }
    }
}

/// Run a test body once on SQLite and once on PostgreSQL; with `|app, sink|`, a masa whose mail
/// is delivered over SMTP to `sink`.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, |$app:ident, $sink:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let ($app, $sink) =
                    $crate::support::TestApp::with_mail(masa::store::Engine::Sqlite).await;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let ($app, $sink) =
                    $crate::support::TestApp::with_mail(masa::store::Engine::Postgres).await;
                $body
            }
        }
    };
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::new(masa::store::Engine::Sqlite).await;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $crate::support::TestApp::new(masa::store::Engine::Postgres).await;
                $body
            }
        }
    };
}

async fn pg_admin() -> Db {
    Db::connect(&DbOptions {
        url: pg_admin_url(),
        create_if_missing: false,
        max_connections: 1,
    })
    .await
    .unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {} is needed for these tests and cannot be reached: {e}",
            pg_admin_url()
        )
    })
}

/// The admin address with another database in it (and the same options).
fn pg_url(name: &str) -> String {
    let base = pg_admin_url();
    let (path, query) = base
        .split_once('?')
        .map_or((base.as_str(), ""), |(p, q)| (p, q));
    let server = path.rsplit_once('/').map_or(path, |(b, _)| b);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

/// A new PostgreSQL database for one test, copied from a template migrated once per set of
/// migrations (`masa_t_tpl_` and the migrations' digest). Test processes run at once, so one
/// at a time (an advisory lock) makes the template if it is missing: built under another name,
/// then renamed, so a copy is never taken of a half-migrated one. `make test` drops every
/// `masa_t_` database left by an earlier run, templates too.
async fn pg_test_database() -> String {
    let template = format!("masa_t_tpl_{}", masa::store::migrate::fingerprint());
    let admin = pg_admin().await;
    admin
        .fetch_one(
            "SELECT pg_advisory_lock(4242002) IS NOT NULL AS locked",
            vec![],
        )
        .await
        .expect("lock");
    let exists = admin
        .fetch_optional(
            "SELECT datname FROM pg_database WHERE datname = $1",
            masa::args![template.as_str()],
        )
        .await
        .expect("q")
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        admin.drop_database(&building).await.expect("drop");
        admin.create_database(&building).await.expect("create");
        let db = Db::connect(&DbOptions {
            url: pg_url(&building),
            create_if_missing: false,
            max_connections: 1,
        })
        .await
        .expect("connect");
        masa::store::migrate::migrate(&db).await.expect("migrate");
        // Frozen, a copy needs no visibility work on the template's pages: 35 ms, not 500.
        db.fetch_optional("VACUUM (FREEZE)", vec![])
            .await
            .expect("freeze");
        db.close().await;
        admin
            .rename_database(&building, &template)
            .await
            .expect("rename");
    }
    admin
        .fetch_one("SELECT pg_advisory_unlock(4242002) AS unlocked", vec![])
        .await
        .expect("unlock");
    // Copies may be taken at once: none connects to the template.
    let name = format!("masa_t_{}", uuid::Uuid::new_v4().simple());
    admin
        .create_database_from(&name, &template)
        .await
        .expect("copy the template");
    admin.close().await;
    name
}

/// Drop a test's PostgreSQL database when the test ends (from `Drop`: on the test's own
/// runtime when there is one, else on a thread of its own).
fn drop_pg_database(name: String) {
    let drop_it = async move {
        let admin = pg_admin().await;
        let _ = admin.drop_database(&name).await;
        admin.close().await;
    };
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| h.block_on(drop_it));
        }
        _ => {
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_it);
                }
            })
            .join();
        }
    }
}

/// A fresh, migrated, empty database of the engine asked for, and for PostgreSQL its name (to
/// drop when the test ends).
pub async fn fresh_db(engine: Engine, dir: &std::path::Path) -> (Db, Option<String>) {
    let (url, pg) = match engine {
        Engine::Sqlite => (
            format!("sqlite://{}", dir.join("test.sqlite").display()),
            None,
        ),
        Engine::Postgres => {
            let name = pg_test_database().await;
            (pg_url(&name), Some(name))
        }
    };
    let db = Db::connect(&DbOptions {
        url,
        create_if_missing: true,
        max_connections: 8,
    })
    .await
    .expect("connect");
    masa::store::migrate::migrate(&db).await.expect("migrate");
    (db, pg)
}

impl TestApp {
    pub async fn new(engine: Engine) -> TestApp {
        Self::with_smtp(engine, None).await
    }

    pub async fn with_smtp(engine: Engine, smtp_url: Option<String>) -> TestApp {
        Self::with_settings(engine, smtp_url, &[]).await
    }

    /// A masa with these settings as well (`MASA_UPLOAD_LIMIT_MB`, say).
    pub async fn with_settings(
        engine: Engine,
        smtp_url: Option<String>,
        settings: &[(&'static str, &str)],
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, pg_database) = fresh_db(engine, dir.path()).await;
        let mut env: HashMap<&str, String> = HashMap::new();
        for (k, v) in settings {
            env.insert(k, (*v).to_owned());
        }
        env.insert("MASA_DATA_DIR", dir.path().display().to_string());
        if let Some(u) = smtp_url {
            env.insert("MASA_SMTP_URL", u);
        }
        let config = Config::load(|k| env.get(k).cloned(), None).expect("config");
        let state = masa::server::state(config, db).expect("state");
        let demo = masa::demo::seed(&state).await.expect("seed");
        TestApp {
            router: router(state.clone()),
            state,
            demo,
            _dir: dir,
            pg_database,
        }
    }

    /// A masa that delivers its mail over SMTP to a sink on loopback.
    pub async fn with_mail(engine: Engine) -> (TestApp, SmtpSink) {
        let (sink, url) = SmtpSink::start().await;
        (Self::with_smtp(engine, Some(url)).await, sink)
    }

    /// Deliver what is due, then the path of the masa link in the newest message delivered to
    /// `to` (links reach only the recipient: no stored copy holds them).
    pub async fn link_mailed_to(&self, sink: &SmtpSink, to: &str) -> String {
        self.state
            .mailer
            .deliver_due(&self.state.db)
            .await
            .expect("deliver");
        let base = self.state.config.base_url.trim_end_matches('/').to_owned();
        let message = sink
            .all()
            .into_iter()
            .rev()
            .find(|m| m.contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("no message delivered to {to}"));
        let text = decode_quoted_printable(&message);
        let start = text.find(&base).expect("a masa link") + base.len();
        text[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .next()
            .expect("link")
            .to_owned()
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            csrf: None,
            bearer: None,
        }
    }

    pub fn partnership(&self, slug: &str) -> masa::store::PartnershipId {
        self.demo
            .partnerships
            .iter()
            .find(|p| p.slug == slug)
            .map(|p| p.id)
            .expect("demo partnership")
    }

    pub fn totp_secret(&self, email: &str) -> Option<String> {
        self.demo
            .users
            .iter()
            .find(|u| u.email == email)
            .and_then(|u| u.totp_secret.clone())
    }

    /// A client signed in as a demo user (with two-factor where the account has it).
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut c = self.client();
        c.sign_in(
            email,
            masa::demo::DEMO_PASSWORD,
            self.totp_secret(email).as_deref(),
        )
        .await;
        c
    }

    /// Rows in a table, for checking that nothing changed.
    /// Every `table.column` holding `needle` anywhere in its text, in every table: to show
    /// that something was never stored.
    pub async fn where_in_database(&self, needle: &str) -> Vec<String> {
        let db = &self.state.db;
        let columns_sql: &'static str = match db.engine() {
            Engine::Sqlite => {
                "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY 1, 2"
            }
            Engine::Postgres => {
                "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2"
            }
        };
        let mut found = Vec::new();
        for r in db.fetch_all(columns_sql, vec![]).await.expect("columns") {
            let (t, c): (String, String) = (r.get("t").expect("t"), r.get("c").expect("c"));
            // Names from the database's own catalogue, made static for the query builder.
            let sql: &'static str = Box::leak(
                format!("SELECT COUNT(*) AS n FROM \"{t}\" WHERE CAST(\"{c}\" AS TEXT) LIKE $1")
                    .into_boxed_str(),
            );
            let n: i64 = db
                .fetch_one(sql, vec![format!("%{needle}%").into()])
                .await
                .expect("search")
                .get("n")
                .expect("n");
            if n > 0 {
                found.push(format!("{t}.{c}"));
            }
        }
        found
    }

    pub async fn count(&self, table: &'static str) -> i64 {
        self.state
            .db
            .fetch_one(
                masa::store::Sql::join(&["SELECT COUNT(*) AS n FROM ", table]),
                vec![],
            )
            .await
            .expect("count")
            .get("n")
            .expect("n")
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for files that are not text.
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    #[track_caller]
    pub fn assert_contains(&self, s: &str) {
        assert!(
            self.body.contains(s),
            "expected {s:?} in a {} page:\n{}",
            self.status,
            self.body
        );
    }
}

/// A browser-like client: keeps cookies, remembers the last CSRF token it saw.
pub struct Client {
    pub router: Router,
    pub cookies: HashMap<String, String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub async fn request(&mut self, method: Method, path: &str, body: Option<String>) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::USER_AGENT, "masa-tests");
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some(s) => {
                b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(s)
            }
            None => Body::empty(),
        };
        self.send(b, body).await
    }

    /// Send a request with this client's cookies, keep the cookies and CSRF token it answers with.
    async fn send(&mut self, mut b: axum::http::request::Builder, body: Body) -> Resp {
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            b = b.header(header::COOKIE, c);
        }
        let mut req = b.body(body).expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().expect("cookie");
            if let Some((kv, _)) = s.split_once(';').or(Some((s, "")))
                && let Some((k, v)) = kv.split_once('=')
            {
                if v.is_empty() || s.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = csrf_in(&body) {
            self.csrf = Some(t);
        }
        Resp {
            status,
            headers,
            body,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.request(Method::GET, path, None).await
    }

    /// POST a JSON body (the API), with this client's token.
    pub async fn post_json(&mut self, path: &str, json: &str) -> Resp {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::USER_AGENT, "masa-tests")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(b, Body::from(json.to_owned())).await
    }

    /// A GET with headers of its own (a conditional request, say).
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut b = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::USER_AGENT, "masa-tests");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b, Body::empty()).await
    }

    /// Post a form with the CSRF token of the last page seen.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut f: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(t) = &self.csrf {
            f.push(("csrf_token".into(), t.clone()));
        }
        let body = serde_html_form::to_string(&f).expect("form");
        self.request(Method::POST, path, Some(body)).await
    }

    /// Upload one file as multipart/form-data, the CSRF token in the address as the page does.
    pub async fn upload(
        &mut self,
        path: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
        with_token: bool,
    ) -> Resp {
        let boundary = "masa-test-boundary-7d3f";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = match (&self.csrf, with_token) {
            (Some(t), true) => format!("{path}?csrf_token={t}"),
            _ => path.to_owned(),
        };
        let b = Request::builder().method(Method::POST).uri(url).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        self.send(b, Body::from(body)).await
    }

    /// A client of the JSON API holding a personal token this person makes on their tokens page.
    pub async fn api_client(&mut self, name: &str) -> Client {
        self.get("/account/tokens").await;
        let made = self
            .post("/account/tokens", &[("name", name), ("expiry", "90")])
            .await;
        let token = made
            .body
            .split("id=\"new-token\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("a new token on the page")
            .to_owned();
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            csrf: None,
            bearer: Some(token),
        }
    }

    /// Send a multipart form: text fields and, optionally, one file (field, name, bytes).
    pub async fn upload_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        self.upload_files(path, fields, file.as_slice()).await
    }

    /// Send a multipart form with several files (field, name, bytes), as an input with
    /// `multiple` does.
    pub async fn upload_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        let boundary = "masa-test-boundary-7d3f";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let url = match &self.csrf {
            Some(t) => format!("{path}?csrf_token={t}"),
            None => path.to_owned(),
        };
        let b = Request::builder().method(Method::POST).uri(url).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        self.send(b, Body::from(body)).await
    }

    /// Post a form as a browser does from another site's page (with that site's fetch
    /// metadata), carrying this client's cookies as a forged form would.
    pub async fn post_from_another_site(&mut self, path: &str, body: &str) -> Resp {
        let b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, "https://evil.example");
        self.send(b, Body::from(body.to_owned())).await
    }

    /// Post exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, body: &str) -> Resp {
        self.request(Method::POST, path, Some(body.to_owned()))
            .await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str, totp_secret: Option<&str>) {
        self.get("/sign-in").await;
        let r = self
            .post("/sign-in", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign in as {email}: {}",
            r.body
        );
        if r.location().starts_with("/sign-in/two-factor") {
            let secret = totp_secret.expect("account needs a two-factor secret");
            self.get("/sign-in/two-factor").await;
            let code = fresh_code(secret);
            let r = self.post("/sign-in/two-factor", &[("code", &code)]).await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "two-factor for {email}: {}",
                r.body
            );
        }
    }
}

/// The hidden fields of the form that posts to `action` on a page, unescaped, as a browser
/// would send them back.
pub fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let form = html
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .and_then(|s| s.split("</form>").next())
        .unwrap_or_default();
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|s| {
            let (name, rest) = s.split_once('"')?;
            let value = rest.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), unescape(value)))
        })
        .collect()
}

/// HTML's escapes as askama writes them, undone.
pub fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
}

fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let j = html[i..].find('"')?;
    Some(html[i..i + j].to_owned()).filter(|s| !s.is_empty())
}

/// Give someone the three statutory partners' delegates' seats in Plymouth's arrangements, so
/// they sign serious case decisions for all three.
/// The id of the account with this address (the demo's people, say).
pub async fn user_id(app: &TestApp, email: &str) -> i64 {
    masa::accounts::store::user_by_email(&app.state.db, email)
        .await
        .expect("query")
        .expect("user")
        .0
        .id
}

/// A day written as 2026-04-14.
pub fn day(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Today as masa counts it (England's today).
pub fn today() -> chrono::NaiveDate {
    masa::calendar::today()
}

impl Client {
    /// Post fields built at run time (owned names or values).
    pub async fn post_owned<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        path: &str,
        fields: &[(K, V)],
    ) -> Resp {
        let f: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        self.post(path, &f).await
    }
}

pub async fn make_delegate(state: &AppState, p: masa::store::PartnershipId, email: &str) {
    use masa::arrangements::{model as am, store as ast};
    let delegates = [
        "pcc-director-childrens-services",
        "icb-chief-nurse",
        "police-bcu-commander",
    ];
    let mut seats = Vec::new();
    for i in ast::items(&state.db, p).await.expect("items") {
        if i.kind != "membership" {
            continue;
        }
        let m: am::Membership = ast::decode(&i).expect("membership");
        if m.to.is_none() && m.post.as_deref().is_some_and(|x| delegates.contains(&x)) {
            seats.push(i.key.clone());
        }
    }
    let user = masa::accounts::store::user_by_email(&state.db, email)
        .await
        .expect("q")
        .expect("user")
        .0;
    masa::access::set_seats(
        &state.db,
        &masa::store::Actor::system("test"),
        p,
        user.id,
        &seats,
    )
    .await
    .expect("seats");
}

/// Time passes in a test: every final decision on a serious case is dated `day` (recorded in the
/// audit trail as the test's doing).
pub async fn backdate_decisions(state: &AppState, day: chrono::NaiveDate) {
    time_passes(
        state,
        "UPDATE review_cases SET decided_on = $1 WHERE decided_on IS NOT NULL",
        masa::args![day],
        "review-case",
        "Decisions backdated for a test",
    )
    .await;
}

/// Move stored dates as time passing would, written (and audited) like any change: `sql`
/// with its `args`, on records of `kind`.
pub async fn time_passes(
    state: &AppState,
    sql: &'static str,
    args: Vec<masa::store::Value>,
    kind: &'static str,
    what: &str,
) {
    let actor = masa::store::Actor::system("test: time passes");
    let mut tx = masa::store::Tx::begin(&state.db, &actor).await.expect("tx");
    tx.update(
        sql,
        args,
        &masa::store::RecordRef::new(None, kind, 0),
        what,
        &serde_json::json!({}),
        &serde_json::json!({}),
    )
    .await
    .expect("time passes");
    tx.commit().await.expect("commit");
}

/// A valid code that this process has not used yet for this secret (codes are accepted once,
/// so a second sign-in within the same 30 seconds takes the next step's code, which the server
/// accepts as clock skew). The current step comes first: if a step boundary passes before the
/// server checks it, it is still within the window.
pub fn fresh_code(secret: &str) -> String {
    static USED: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
    let now = chrono::Utc::now().timestamp() as u64;
    let mut used = USED.get_or_init(Default::default).lock().expect("lock");
    let last = used.get(secret).copied().unwrap_or(0);
    let step = (now / 30).max(last + 1);
    assert!(
        step <= now / 30 + 1,
        "more than two sign-ins with one secret within 30 seconds"
    );
    used.insert(secret.to_owned(), step);
    masa::accounts::model::totp::code_at(secret, step * 30).expect("code")
}

/// Undo the quoted-printable encoding of a message's text: soft line breaks and `=XX`.
pub fn decode_quoted_printable(message: &str) -> String {
    let joined = message.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::with_capacity(joined.len());
    let mut rest = joined.as_str();
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let hex = rest.get(i + 1..i + 3).unwrap_or("");
        match u8::from_str_radix(hex, 16) {
            Ok(b) if hex.len() == 2 => {
                out.push(b as char);
                rest = &rest[i + 3..];
            }
            _ => {
                out.push('=');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A minimal SMTP server on loopback that keeps what it receives.
#[derive(Clone, Default)]
pub struct SmtpSink {
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    /// Start one; returns it and its smtp:// URL.
    pub async fn start() -> (SmtpSink, String) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let sink = SmtpSink::default();
        let keep = sink.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let keep = keep.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(d) = data.as_mut() {
                            if line == "." {
                                keep.messages.lock().expect("lock").push(std::mem::take(d));
                                data = None;
                                let _ = w.write_all(b"250 OK queued\r\n").await;
                            } else {
                                d.push_str(line.strip_prefix('.').unwrap_or(&line));
                                d.push('\n');
                            }
                            continue;
                        }
                        let cmd = line.to_ascii_uppercase();
                        let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if cmd.starts_with("DATA") {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        } else if cmd.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        let _ = w.write_all(reply).await;
                    }
                });
            }
        });
        (sink, format!("smtp://{addr}"))
    }

    pub fn all(&self) -> Vec<String> {
        self.messages.lock().expect("lock").clone()
    }
}

/// The business unit arranges a meeting of Plymouth's board through its form, `working_days`
/// from today, at `venue`: the address of the new meeting.
pub async fn board_meeting(
    app: &TestApp,
    bu: &mut Client,
    working_days: i64,
    venue: &str,
) -> String {
    bu.get("/meetings/bodies/pscp-board").await;
    let cal = masa::calendar::working_days::Calendar::shipped();
    let date = cal.add_working_days(today(), working_days).to_string();
    let r = bu
        .post(
            "/meetings/bodies/pscp-board",
            &[
                ("kind", "ordinary"),
                ("date", date.as_str()),
                ("start_time", "10:00"),
                ("venue", venue),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = app
        .state
        .db
        .fetch_one("SELECT MAX(id) AS id FROM meetings", vec![])
        .await
        .expect("q")
        .get("id")
        .expect("id");
    format!("/meetings/{id}")
}

/// The business unit plans a year of the Portsmouth board's meetings from 20 September 2022;
/// the meetings of April 2022 to March 2023, in order.
pub async fn plan_portsmouth_board(
    app: &TestApp,
    c: &mut Client,
    p: masa::store::PartnershipId,
) -> Vec<masa::meetings::store::Meeting> {
    let r = c
        .post(
            "/meetings/bodies/pscp-board/plan",
            &[("first", "2022-09-20"), ("plan_start_time", "10:00")],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    masa::meetings::store::between(
        &app.state.db,
        p,
        day("2022-04-01"),
        day("2023-03-31"),
        Some("pscp-board"),
    )
    .await
    .expect("meetings")
}
