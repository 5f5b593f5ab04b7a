//! End to end in headless Chromium (Debian's chromium and chromium-driver): invite a user, sign
//! in with two-factor, visit each page, and run axe-core on every page visited. Any violation
//! fails the test. Set MASA_SCREENSHOTS=DIR to keep a PNG of each page.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use masa::accounts::model::totp;
use masa::demo::DEMO_PASSWORD;
use masa::store::Engine;

use crate::support::fresh_code;

/// chromedriver's own command to reach the browser's DevTools: here, to show a page as it
/// prints.
#[derive(Debug)]
struct Cdp(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(serde_json::json!({"cmd": self.0, "params": self.1}).to_string()),
        )
    }
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_chromedriver() -> (Driver, u16) {
    let port = free_port();
    let driver = Driver(Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian's chromium-driver) must be installed: `make test` installs it"));
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (driver, port);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1000"]
        }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session")
}

/// A script's way to type a date into a date input's three boxes (id is the day box's).
const SET_DATE: &str = "function masaDate(id, iso) { const [y, m, d] = iso.split('-'); \
    document.getElementById(id).value = d; document.getElementById(id + '-month').value = m; \
    document.getElementById(id + '-year').value = y; }";

struct Visit<'a> {
    b: &'a Client,
    base: String,
    axe: String,
    shots: Option<std::path::PathBuf>,
    checked: Vec<String>,
    /// Pages wider than a phone, with the elements that stick out.
    wide: Vec<String>,
}

impl Visit<'_> {
    async fn go(&mut self, path: &str) {
        self.b
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("goto");
        self.check(path).await;
    }

    /// Run axe on the page now showing; fail on any violation.
    async fn check(&mut self, label: &str) {
        self.b.execute(&self.axe, vec![]).await.expect("inject axe");
        let v = self
            .b
            .execute(
                "return axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}}).then(r => r.violations.map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', ')))",
                vec![],
            )
            .await
            .expect("axe run");
        let violations: Vec<String> = serde_json::from_value(v).expect("violations");
        let url = self
            .b
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        assert!(
            violations.is_empty(),
            "axe found problems on {label} ({url}):\n{}",
            violations.join("\n")
        );
        // A phone is a first-class screen: at 390 pixels nothing may make the page scroll
        // sideways (a wide table scrolls inside its own region instead).
        self.b
            .set_window_size(390, 1000)
            .await
            .expect("window size");
        let wide = self
            .b
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth, \
                 Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.masa-scroll')).concat(Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().width > document.documentElement.clientWidth + 1 && !(e.parentElement && e.parentElement.closest('.masa-scroll')))).slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + Array.from(e.classList).join('.') + '=' + Math.round(e.getBoundingClientRect().width)).join(' ')]",
                vec![],
            )
            .await
            .expect("width");
        let (scroll, client) = (wide[0].as_i64().unwrap_or(0), wide[1].as_i64().unwrap_or(0));
        if scroll > client {
            self.wide
                .push(format!("{label} ({url}): {scroll} > {client}: {}", wide[2]));
        }
        if let Some(dir) = &self.shots {
            // At a phone's width and the desktop's, each the whole page's height (to 8000
            // pixels), so that what is below the fold is seen too.
            let name = label.trim_matches('/').replace(['/', '?', '=', '&'], "_");
            let name = if name.is_empty() { "home" } else { &name };
            self.whole_height(390).await;
            let png = self.b.screenshot().await.expect("screenshot");
            std::fs::write(
                dir.join(format!("{:02}-{name}-390.png", self.checked.len())),
                png,
            )
            .expect("write screenshot");
            self.whole_height(1280).await;
            let png = self.b.screenshot().await.expect("screenshot");
            std::fs::write(
                dir.join(format!("{:02}-{name}.png", self.checked.len())),
                png,
            )
            .expect("write screenshot");
        }
        self.b
            .set_window_size(1280, 1000)
            .await
            .expect("window size");
        self.checked.push(label.to_owned());
    }

    /// Show the page as printed ("print") or on screen (""), through DevTools.
    async fn media(&self, media: &str) {
        self.b
            .issue_cmd(Cdp(
                "Emulation.setEmulatedMedia",
                serde_json::json!({ "media": media }),
            ))
            .await
            .expect("emulated media");
    }

    /// As the page prints: each chart shown, no wider than the paper's text (A4 less margins,
    /// about 700 CSS pixels) and no narrower than its words can be read at; a picture of it
    /// when screenshots are kept.
    async fn print_check(&mut self, name: &str) {
        self.media("print").await;
        self.b
            .set_window_size(794, 1123)
            .await
            .expect("A4 at 96 dpi");
        let widths = self
            .b
            .execute(
                "return Array.from(document.querySelectorAll('svg.masa-bar-chart')).map(s => Math.round(s.getBoundingClientRect().width))",
                vec![],
            )
            .await
            .expect("charts");
        let widths: Vec<i64> = serde_json::from_value(widths).expect("widths");
        assert!(!widths.is_empty(), "{name}: no chart printed");
        for w in &widths {
            assert!(
                (250..=700).contains(w),
                "{name}: a chart prints {w} pixels wide"
            );
        }
        if let Some(dir) = &self.shots {
            self.b
                .execute(
                    "document.querySelector('svg.masa-bar-chart').scrollIntoView()",
                    vec![],
                )
                .await
                .expect("scroll");
            let png = self.b.screenshot().await.expect("screenshot");
            std::fs::write(
                dir.join(format!("{:02}-{name}.png", self.checked.len())),
                png,
            )
            .expect("write screenshot");
        }
        self.media("").await;
        self.b
            .set_window_size(1280, 1000)
            .await
            .expect("window size");
    }

    /// The window as wide as `width` and as tall as the page at that width.
    async fn whole_height(&self, width: u32) {
        self.b
            .set_window_size(width, 1000)
            .await
            .expect("window size");
        let h = self
            .b
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1000)
            .clamp(1000, 8000);
        self.b
            .set_window_size(width, u32::try_from(h).unwrap_or(1000))
            .await
            .expect("window size");
    }

    async fn fill(&self, id: &str, text: &str) {
        let e = self
            .b
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|_| panic!("no #{id}"));
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Type a date ("2027-03-31") into a date input's day, month and year boxes.
    async fn fill_date(&self, id: &str, iso: &str) {
        let mut parts = iso.split('-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        for (box_id, v) in [
            (id.to_owned(), d),
            (format!("{id}-month"), m),
            (format!("{id}-year"), y),
        ] {
            self.fill(&box_id, v.unwrap_or_default()).await;
        }
    }

    async fn submit(&self, form_action: &str) {
        let css = format!("form[action='{form_action}'] button[type=submit]");
        self.click(Locator::Css(&css)).await;
    }

    /// Click something that loads a new page, and wait until the new page has loaded.
    async fn click(&self, what: Locator<'_>) {
        self.b
            .execute("window.masaOldPage = true", vec![])
            .await
            .expect("mark page");
        self.b
            .find(what)
            .await
            .unwrap_or_else(|_| panic!("nothing to click: {what:?}"))
            .click()
            .await
            .expect("click");
        for _ in 0..100 {
            let v = self
                .b
                .execute(
                    "return document.readyState === 'complete' && !window.masaOldPage",
                    vec![],
                )
                .await;
            if matches!(v, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no new page after clicking {what:?}");
    }

    async fn text(&self, css: &str) -> String {
        let wait = self.b.wait().at_most(Duration::from_secs(10));
        match wait.for_element(Locator::Css(css)).await {
            Ok(e) => e.text().await.expect("text"),
            Err(_) => panic!(
                "no {css} in:\n{}",
                self.b.source().await.unwrap_or_default()
            ),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_sign_in_with_two_factor_and_every_page_passes_axe() {
    // A real server on a loopback port, with links in emails pointing at it.
    let dir = tempfile::tempdir().expect("dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let env = [
        ("MASA_DATA_DIR", dir.path().display().to_string()),
        ("MASA_LISTEN", addr.to_string()),
    ];
    let config = masa::config::Config::load(
        |k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
        None,
    )
    .expect("config");
    let (db, _) = crate::support::fresh_db(Engine::Sqlite, dir.path()).await;
    let state = masa::server::state(config, db).expect("state");
    let demo = masa::demo::seed(&state).await.expect("seed");
    masa::demo::seed_arrangements(&state)
        .await
        .expect("example arrangements");
    assert!(masa::demo::seed_meetings(&state).await.expect("meetings") > 0);
    // Morgan Member signs serious case decisions for all three statutory partners.
    let plymouth = masa::partnerships::store::by_slug(&state.db, "plymouth")
        .await
        .expect("q")
        .expect("plymouth");
    crate::support::make_delegate(
        &state,
        masa::store::PartnershipId(plymouth.id),
        "member@plymouth.example",
    )
    .await;
    masa::demo::seed_assurance(&state)
        .await
        .expect("assurance plan");
    masa::demo::seed_training(&state)
        .await
        .expect("training programme");
    masa::demo::seed_thresholds(&state)
        .await
        .expect("thresholds documents");
    masa::demo::seed_procedures(&state)
        .await
        .expect("procedures");
    masa::demo::seed_scorecard(&state).await.expect("scorecard");
    // Seaview and Harbourside (test fixtures): what the second schema adds to the pages, with
    // Jo from the business unit in Seaview too.
    let mut seaview = None;
    for text in [
        include_str!("../fixtures/seaview.toml"),
        include_str!("../fixtures/harbourside.toml"),
    ] {
        let r = masa::arrangements::model::read(text.as_bytes()).expect("fixture");
        let (p, _) = masa::arrangements::store::import_file(
            &state.db,
            &masa::store::Actor::system("test"),
            &r,
        )
        .await
        .expect("import");
        seaview = seaview.or(Some(p));
    }
    let seaview = seaview.expect("seaview");
    {
        let jo = masa::accounts::store::user_by_email(&state.db, "business.unit@plymouth.example")
            .await
            .expect("q")
            .expect("jo")
            .0;
        let actor = masa::store::Actor::system("test");
        let mut tx = masa::store::Tx::begin(&state.db, &actor).await.expect("tx");
        masa::accounts::store::add_membership(
            &mut tx,
            seaview,
            jo.id,
            masa::web::identity::Role::PartnershipAdmin,
            "Seaview business unit",
        )
        .await
        .expect("membership");
        tx.commit().await.expect("commit");
    }
    let library = masa::procedures::store::list(&state.db, masa::store::PartnershipId(plymouth.id))
        .await
        .expect("procedures");
    let doc = library.first().map(|d| d.id).expect("a demo document");
    let app = masa::app::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (_driver, port) = start_chromedriver().await;
    let b = browser(port).await;
    let axe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/node_modules/axe-core/axe.min.js"
    ))
    .expect("axe-core from npm (make test runs npm ci)");
    let shots = std::env::var_os("MASA_SCREENSHOTS").map(std::path::PathBuf::from);
    if let Some(d) = &shots {
        std::fs::create_dir_all(d).expect("screenshot dir");
    }
    let mut v = Visit {
        b: &b,
        base: format!("http://{addr}"),
        axe,
        shots,
        checked: Vec::new(),
        wide: Vec::new(),
    };

    // The public side.
    v.go("/").await;
    v.go("/p/plymouth").await;
    // The public library: the list with its search box, a document, and subscribing.
    v.go("/p/plymouth/procedures").await;
    v.go("/p/plymouth/procedures?q=neglect").await;
    v.go("/p/plymouth/procedures?q=--").await;
    v.go(&format!("/p/plymouth/procedures/{doc}")).await;
    v.fill("email", "not an address").await;
    v.submit(&format!("/p/plymouth/procedures/{doc}/subscribe"))
        .await;
    v.check("subscribe refused").await;
    v.fill("email", "reader@example.org").await;
    v.submit(&format!("/p/plymouth/procedures/{doc}/subscribe"))
        .await;
    assert!(v.text("main").await.contains("Check your email"));
    v.check("subscribe answered").await;
    v.go("/p/seaview/arrangements").await;
    v.go("/p/seaview/arrangements?date-day=1&date-month=6&date-year=2025")
        .await;
    v.go("/p/harbourside/arrangements").await;
    v.go("/accessibility").await;
    v.go("/privacy").await;
    v.go("/no-such-page").await;
    // Under a partnership's pages: its navigation, and where to go instead.
    v.go("/p/plymouth/no-such-page").await;
    assert!(v.text("main").await.contains("home page"));
    // The published arrangements: the chart is an image with a title, and the same structure
    // is there in words.
    v.go("/p/plymouth/arrangements").await;
    let chart =
        v.b.find(Locator::Css("svg.masa-chart[role='img']"))
            .await
            .expect("the structure chart");
    assert_eq!(
        chart
            .attr("aria-labelledby")
            .await
            .expect("attr")
            .as_deref(),
        Some("chart-title chart-desc")
    );
    let outline = v.text("ul.masa-outline").await;
    assert!(
        outline.contains("Plymouth Safeguarding Children Partnership (PSCP Board)"),
        "{outline}"
    );
    assert!(outline.contains("Reports to"), "{outline}");
    v.go("/p/portsmouth/agencies").await;
    v.go("/p/portsmouth/agencies?q=school&sector=education-and-childcare")
        .await;
    assert!(v.text("caption").await.contains(" of "));
    // The threshold tool, with JavaScript: the suggestion so far is said as boxes are ticked,
    // and the button shows what to do next.
    v.go("/p/plymouth/thresholds").await;
    for key in ["dev-attendance-2", "dev-attendance-3"] {
        v.b.find(Locator::Css(&format!("label[for='i-{key}']")))
            .await
            .expect("an indicator")
            .click()
            .await
            .expect("tick");
    }
    let live = v.text("#masa-live-level").await;
    assert!(
        live.contains("So far these suggest: Targeted early help"),
        "{live}"
    );
    v.click(Locator::Css("button[name='suggest']")).await;
    v.check("/p/plymouth/thresholds (suggested)").await;
    let heading = v.text("#suggestion h2").await;
    assert!(
        heading.contains("Suggested level: Targeted early help"),
        "{heading}"
    );
    // On paper: the suggestion and the indicators, not the search and filters.
    v.media("print").await;
    assert!(
        !v.b.find(Locator::Id("q"))
            .await
            .expect("search box")
            .is_displayed()
            .await
            .expect("shown?"),
        "the tool's filters are not printed"
    );
    assert!(
        v.b.find(Locator::Css("#suggestion h2"))
            .await
            .expect("suggestion")
            .is_displayed()
            .await
            .expect("shown?")
    );
    v.media("").await;
    // Without JavaScript: browse a level, search, tick, and the same suggestion comes from the
    // server alone. (axe needs scripts, so it runs on each page once it has loaded without.)
    let scripts = |on: bool| {
        v.b.issue_cmd(Cdp(
            "Emulation.setScriptExecutionDisabled",
            serde_json::json!({ "value": !on }),
        ))
    };
    scripts(false).await.expect("scripts off");
    let url = format!(
        "{}/p/plymouth/thresholds?q=education&level=statutory",
        v.base
    );
    v.b.goto(&url).await.expect("goto");
    v.b.find(Locator::Css("label[for='i-dev-attendance-4']"))
        .await
        .expect("a statutory indicator about education")
        .click()
        .await
        .expect("tick");
    v.b.find(Locator::Css("button[name='suggest']"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("press");
    for _ in 0..100 {
        let now =
            v.b.current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
        if now.contains("suggest=1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let heading = v.text("#suggestion h2").await;
    assert!(heading.contains("Suggested level: Statutory"), "{heading}");
    let live_hidden =
        v.b.find(Locator::Id("masa-live-level"))
            .await
            .expect("live")
            .is_displayed()
            .await
            .expect("shown?");
    assert!(
        !live_hidden,
        "without JavaScript the live line stays hidden"
    );
    scripts(true).await.expect("scripts on");
    v.check("/p/plymouth/thresholds (suggested, no JavaScript)")
        .await;
    v.go("/p/plymouth/thresholds/editions").await;
    v.go("/p/plymouth/worried").await;
    v.go("/p/derby-derbyshire/worried").await;
    v.go("/sign-in").await;
    // A sign-in with errors shows the error summary.
    v.submit("/sign-in").await;
    assert!(
        v.text(".govuk-error-summary")
            .await
            .contains("Enter your email address")
    );
    v.check("sign-in errors").await;

    // The business unit signs in with two-factor.
    let admin = "business.unit@plymouth.example";
    v.fill("email", admin).await;
    v.fill("password", DEMO_PASSWORD).await;
    v.submit("/sign-in").await;
    v.check("two-factor").await;
    let secret = demo
        .users
        .iter()
        .find(|u| u.email == admin)
        .and_then(|u| u.totp_secret.clone())
        .expect("secret");
    v.fill("code", &fresh_code(&secret)).await;
    v.submit("/sign-in/two-factor").await;
    assert!(
        v.text("h1")
            .await
            .contains("Plymouth Safeguarding Children Partnership")
    );
    v.check("dashboard").await;
    for path in [
        "/admin/people",
        "/admin/partnership",
        "/audit",
        "/admin/outbox",
        "/account",
        "/account/password",
        "/account/two-factor",
        "/account/tokens",
        "/arrangements",
        "/arrangements?date=2021-01-01",
        "/arrangements/reporting",
        "/admin/arrangements",
        "/help/arrangements-file",
        "/arrangements/questions?q=police&from=2021-01-01&to=2022-10-01",
        "/admin/arrangements/entry?kind=body&key=pscp-board",
        "/admin/arrangements/memberships",
        "/admin/arrangements/bodies/pscp-board",
        "/admin/arrangements/bodies/new",
        "/admin/arrangements/organisations",
        "/admin/arrangements/organisations/nhs-devon-ccg",
        "/admin/arrangements/posts",
        "/admin/arrangements/posts/new",
        "/admin/arrangements/sections",
        "/meetings",
        "/meetings/due",
        "/meetings/mine",
        "/meetings/bodies/pscp-board/attendance",
        "/meetings/bodies/pscp-board/programme",
        "/actions/tracking",
        "/meetings/bodies/pscp-board",
        "/admin/meetings/rules",
        "/reviews/rules",
        "/reviews",
        "/reviews/new",
        "/reviews/requests",
        "/admin/arrangements/partners",
        "/admin/arrangements/partner?key=health%2Fnhs-devon-icb%2F2022-07-01",
        "/admin/arrangements/additional-partners",
        "/admin/arrangements/additional-partner",
        "/api/v1/openapi.json",
    ] {
        if path.ends_with(".json") {
            continue; // not a page
        }
        v.go(path).await;
    }
    // A meeting, its deadlines and its form; then an extraordinary meeting refused for notice.
    v.go("/meetings/bodies/pscp-board").await;
    // The board's latest meeting held: the demo has minuted the ones before it.
    let meeting = v
        .b
        .execute(
            "return Array.from(document.querySelectorAll('table tr')).filter(r => r.cells.length > 3 && r.cells[3].textContent.trim() === 'held').map(r => r.querySelector('a').getAttribute('href')).pop()",
            vec![],
        )
        .await
        .expect("a meeting")
        .as_str()
        .expect("the latest meeting held")
        .to_owned();
    // The meeting: its summary and its cycle as a task list, then each stage on its own page.
    v.go(&meeting).await;
    assert!(v.text("main").await.contains("The meeting's cycle"));
    for stage in ["papers", "decisions", "minutes", "approval", "change"] {
        v.go(&format!("{meeting}/{stage}")).await;
    }
    // An agenda item, the attendance form and the item's page with its forms.
    v.go(&format!("{meeting}/agenda")).await;
    v.fill("title", "Neglect strategy").await;
    let add_item = format!("{meeting}/agenda");
    v.submit(&add_item).await;
    v.check("agenda item added").await;
    v.go(&format!("{meeting}/attendance")).await;
    v.submit(&format!("{meeting}/attendance")).await;
    v.check("attendance saved").await;
    // The year's attendance so far, charted against the expectation beside its table.
    v.go("/meetings/bodies/pscp-board/attendance").await;
    v.b.find(Locator::Css("svg#attendance-chart[role='img']"))
        .await
        .expect("the attendance chart");
    v.go(&meeting).await;
    v.go(&format!("{meeting}/agenda")).await;
    v.click(Locator::LinkText("Neglect strategy")).await;
    v.check("agenda item").await;
    v.fill("text", "The Board discussed the strategy.").await;
    let item = v.b.current_url().await.expect("url").path().to_owned();
    v.submit(&format!("{item}/minute")).await;
    v.check("minute saved").await;
    // A paper, through the design system's file upload (a real file from disk).
    let paper = std::env::temp_dir().join(format!("masa-browser-paper-{}.pdf", std::process::id()));
    std::fs::write(
        &paper,
        masa::demo::demo_paper("Neglect strategy").expect("pdf"),
    )
    .expect("write");
    v.b.find(Locator::XPath("//summary[contains(., 'Add a paper')]"))
        .await
        .expect("summary")
        .click()
        .await
        .expect("open");
    v.fill("paper_title", "Neglect strategy 2026 to 2029").await;
    v.b.find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&paper.display().to_string())
        .await
        .expect("choose the file");
    v.click(Locator::Css(&format!(
        "form[action^='{item}/papers'] button[type=submit]"
    )))
    .await;
    assert!(
        v.text("main")
            .await
            .contains("Neglect strategy 2026 to 2029")
    );
    v.check("paper added").await;
    let _ = std::fs::remove_file(&paper);
    // Everyone present, then a decision by consent and an action from it.
    v.go(&format!("{meeting}/attendance")).await;
    v.b.execute(
        "document.querySelectorAll('select[name=status]').forEach(s => s.value = 'present')",
        vec![],
    )
    .await
    .expect("mark present");
    v.submit(&format!("{meeting}/attendance")).await;
    v.check("everyone present").await;
    v.go(&item).await;
    v.b.find(Locator::Css(&format!(
        "form[action='{item}/decisions'] textarea[name=decision]"
    )))
    .await
    .expect("decision text")
    .send_keys("The Board approved the neglect strategy.")
    .await
    .expect("type");
    v.submit(&format!("{item}/decisions")).await;
    v.check("decision recorded").await;
    v.submit(&format!("{item}/actions")).await;
    v.check("action errors").await;
    v.b.find(Locator::Css(&format!(
        "form[action='{item}/actions'] textarea[name=title]"
    )))
    .await
    .expect("action text")
    .send_keys("Publish the strategy to practitioners")
    .await
    .expect("type");
    v.fill("owner_name", "Strategic lead").await;
    v.fill_date("due", "2027-03-31").await;
    v.submit(&format!("{item}/actions")).await;
    v.check("action added").await;
    // The papers and the decisions, each stage's page; the minutes circulated, then approved
    // at the next meeting, each from its own page, back to the task list.
    v.go(&format!("{meeting}/papers")).await;
    v.go(&format!("{meeting}/decisions")).await;
    v.go(&format!("{meeting}/minutes")).await;
    v.submit(&format!("{meeting}/minutes")).await;
    v.check("minutes circulated").await;
    v.go(&format!("{meeting}/approval")).await;
    v.submit(&format!("{meeting}/minutes")).await;
    assert!(v.text("main").await.contains("Approved"));
    v.check("minutes approved").await;
    // As the meeting prints: the record to read, without its forms, and links as their words.
    v.media("print").await;
    let printed = v
        .b
        .execute(
            "const shown = e => e.offsetParent !== null; \
             return [document.querySelectorAll('main form').length, \
               Array.from(document.querySelectorAll('main form, main details')).filter(shown).length, \
               Array.from(document.querySelectorAll('main a[href^=\"/\"]')).filter(shown).length, \
               Array.from(document.querySelectorAll('main a[href^=\"/\"]')).filter(a => !['none', 'normal', '\"\"'].includes(getComputedStyle(a, '::after').content)).length, \
               Array.from(document.querySelectorAll('main h1, main table')).filter(shown).length]",
            vec![],
        )
        .await
        .expect("printed");
    let n = |i: usize| printed[i].as_i64().unwrap_or(-1);
    assert!(n(0) > 0, "the meeting page has forms on screen");
    assert_eq!(n(1), 0, "no form or form's details prints: {printed}");
    assert!(n(2) > 0, "links print as words: {printed}");
    assert_eq!(n(3), 0, "masa's own addresses are not printed: {printed}");
    assert!(n(4) > 1, "the record itself prints: {printed}");
    v.media("").await;
    // Published for the public (the demo publishes the board's latest meeting already), and
    // found by search.
    let publish = format!("{meeting}/publish");
    let button = v
        .text(&format!("form[action='{publish}'] button[type=submit]"))
        .await;
    if button.contains("Publish for the public") {
        v.submit(&publish).await;
    } else {
        assert!(button.contains("Withdraw from the public"), "{button}");
    }
    v.check("meeting published").await;
    v.go("/search?q=neglect").await;
    assert!(v.text("main").await.contains("Neglect"));
    v.go("/search?q=---").await;
    // Before the idle limit the page warns, and "Stay signed in" keeps the session going.
    let ends =
        v.b.execute(
            "return Number(document.body.dataset.masaSessionEndsIn)",
            vec![],
        )
        .await
        .expect("ends in");
    assert!(
        ends.as_i64().unwrap_or(0) > 3000,
        "an hour's idle limit: {ends}"
    );
    v.b.execute(
        "window.masaSessionCheck(Date.now() + 56 * 60 * 1000)",
        vec![],
    )
    .await
    .expect("time passes");
    let warning = v.text(".masa-session-warning").await;
    assert!(warning.contains("You will be signed out in"), "{warning}");
    v.check("idle warning").await;
    v.b.find(Locator::Css(".masa-session-warning button"))
        .await
        .expect("stay signed in")
        .click()
        .await
        .expect("click");
    let mut gone = false;
    for _ in 0..50 {
        let v2 =
            v.b.execute(
                "return !document.querySelector('.masa-session-warning')",
                vec![],
            )
            .await;
        if matches!(v2, Ok(serde_json::Value::Bool(true))) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "the warning goes once the session is kept alive");
    // A form sent with a stale token (signed in again in another tab, say) comes back to be
    // saved, as typed.
    v.go(&format!("{meeting}/agenda")).await;
    v.fill("title", "Kept while the page was stale").await;
    v.b.execute(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'stale')",
        vec![],
    )
    .await
    .expect("stale token");
    v.submit(&format!("{meeting}/agenda")).await;
    assert!(v.text("h1").await.contains("Save what you typed"));
    assert!(
        v.text("main")
            .await
            .contains("Kept while the page was stale")
    );
    v.check("kept work").await;
    v.submit(&format!("{meeting}/agenda")).await;
    assert!(
        v.text("main")
            .await
            .contains("Kept while the page was stale")
    );
    v.go("/p/plymouth/meetings").await;
    v.click(Locator::Css("main table a")).await;
    v.check("published meeting").await;
    v.go("/actions").await;
    v.b.find(Locator::Css("svg#rag-chart[role='img']"))
        .await
        .expect("the tracker's chart");
    v.print_check("actions-print").await;
    v.go("/actions/tracking").await;
    v.go("/meetings/bodies/pscp-board").await;
    v.b.find(Locator::Id("kind-extraordinary"))
        .await
        .expect("radio")
        .click()
        .await
        .expect("click");
    v.submit("/meetings/bodies/pscp-board").await;
    v.check("meeting errors").await;
    // A serious case: the form's errors, then the restricted record and its deadlines.
    v.go("/reviews/new").await;
    v.submit("/reviews").await;
    v.check("case errors").await;
    v.b.execute(
        &format!(
            "{SET_DATE}{}",
            "document.getElementById('pseudonym').value = 'Child C';\
         masaDate('aware_on', '2022-09-12');\
         document.getElementById('harm').value = 'seriously-harmed';\
         document.getElementById('abuse').value = 'suspected';"
        ),
        vec![],
    )
    .await
    .expect("fill the case");
    v.submit("/reviews").await;
    assert!(
        v.text("main").await.contains("Tue 20 September 2022"),
        "notify the Panel by the 20th"
    );
    v.check("case recorded").await;
    let case = v.b.current_url().await.expect("url").path().to_owned();
    // Notified, and the partners told, on time: on the stage's own page.
    v.go(&format!("{case}/notification")).await;
    v.fill_date("notified_on", "2022-09-16").await;
    v.fill("panel_reference", "CSPRP-2022-0916").await;
    v.fill_date("partners_told_on", "2022-09-16").await;
    v.submit(&format!("{case}/dates")).await;
    v.check("case notified").await;
    // An agency is asked for its information: errors first, then sent.
    v.go(&format!("{case}/information")).await;
    v.submit(&format!("{case}/requests")).await;
    v.check("request errors").await;
    v.b.execute(
        "document.getElementById('organisation').selectedIndex = 1;\
         document.getElementById('responder').selectedIndex = 1;\
         document.getElementById('asked').value = 'Your chronology for the last year.';",
        vec![],
    )
    .await
    .expect("fill the request");
    v.submit(&format!("{case}/requests")).await;
    v.check("request sent").await;
    // The business unit keys in a return that came by email, on the request's own page.
    v.click(Locator::Css("#requests ~ .masa-scroll table a"))
        .await;
    v.check("information request").await;
    v.fill_date("happened_on", "2022-09-01").await;
    v.fill("event", "Strategy discussion held.").await;
    let request = v.b.current_url().await.expect("url").path().to_owned();
    v.submit(&format!("{request}/entries")).await;
    v.fill(
        "summary",
        "One strategy discussion; learning about escalation.",
    )
    .await;
    v.submit(&format!("{request}/return")).await;
    assert!(v.text("h1").await.contains("Check the information"));
    v.check("check the information").await;
    v.submit(&format!("{request}/return")).await;
    v.check("information returned").await;
    // The rapid review: every question answered, the day it was completed.
    v.go(&case).await;
    v.go(&format!("{case}/rapid")).await;
    v.b.execute(&format!("{SET_DATE}{}", "document.querySelectorAll('textarea[name^=answer-]').forEach(t => t.value = 'Yes: agencies did not share what they knew.');\
         masaDate('rapid_done_on', '2022-09-30');"), vec![],
    )
    .await
    .expect("answer the questions");
    v.submit(&format!("{case}/rapid")).await;
    assert!(v.text("main").await.contains("30 September 2022"));
    v.check("rapid review completed").await;
    // The decision proposed; the delegate signs it off for the three partners.
    v.go(&format!("{case}/decision")).await;
    v.b.execute(
        "document.getElementById('decision').value = 'local-review';\
         document.getElementById('decision_reasons').value = 'Agencies working together: a local review.';",
        vec![],
    )
    .await
    .expect("propose");
    v.submit(&format!("{case}/decision")).await;
    v.check("decision proposed").await;
    // Working in Seaview: its structure, with a rotating chair, a shared panel and people in
    // attendance.
    v.go("/account").await;
    v.b.execute(
        &format!(
            "document.getElementById('partnership-{}').checked = true",
            seaview.0
        ),
        vec![],
    )
    .await
    .expect("choose Seaview");
    v.submit("/switch-partnership").await;
    v.go("/arrangements").await;
    assert!(v.text("main").await.contains("In attendance (not members"));
    v.go("/admin/arrangements/bodies/executive").await;
    v.go("/admin/arrangements/additional-partners").await;
    v.go("/admin/arrangements/additional-partner?key=learning-trust%2F2024-12-01")
        .await;
    v.submit("/sign-out").await;
    let sign_in = |who: &'static str| {
        let secret = demo
            .users
            .iter()
            .find(|u| u.email == who)
            .and_then(|u| u.totp_secret.clone())
            .expect("secret");
        (who, secret)
    };
    let (who, secret) = sign_in("member@plymouth.example");
    v.go("/sign-in").await;
    v.fill("email", who).await;
    v.fill("password", DEMO_PASSWORD).await;
    v.submit("/sign-in").await;
    v.fill("code", &fresh_code(&secret)).await;
    v.submit("/sign-in/two-factor").await;
    v.go(&format!("{case}/decision")).await;
    for _ in 0..3 {
        v.submit(&format!("{case}/signoff")).await;
    }
    assert!(
        v.text("main")
            .await
            .contains("All three statutory partners signed it off")
    );
    v.check("decision final").await;
    v.submit("/sign-out").await;
    let (who, secret) = sign_in(admin);
    v.go("/sign-in").await;
    v.fill("email", who).await;
    v.fill("password", DEMO_PASSWORD).await;
    v.submit("/sign-in").await;
    v.fill("code", &fresh_code(&secret)).await;
    v.submit("/sign-in/two-factor").await;
    // The library as the business unit keeps it.
    for path in [
        "/procedures".to_owned(),
        "/procedures/new".to_owned(),
        format!("/procedures/{doc}"),
        format!("/procedures/{doc}/version"),
        format!("/procedures/{doc}/reviewed"),
        format!("/procedures/{doc}/withdraw"),
        format!("/procedures/{doc}/edit"),
    ] {
        v.go(&path).await;
    }
    // Time passes: the decision was made on 3 October 2022.
    crate::support::backdate_decisions(
        &state,
        chrono::NaiveDate::from_ymd_opt(2022, 10, 3).expect("day"),
    )
    .await;
    // The local review: reviewer, terms, milestones, the final report to the Panel.
    v.go(&case).await;
    v.go(&format!("{case}/local")).await;
    v.b.execute(
        &format!(
            "{SET_DATE}{}",
            "document.getElementById('reviewer').value = 'An independent reviewer';\
         document.getElementById('terms_of_reference').value = 'How agencies shared information.';\
         masaDate('planned-practitioner-event', '2022-11-15');\
         masaDate('done-practitioner-event', '2022-11-15');\
         masaDate('final_sent_on', '2023-03-01');"
        ),
        vec![],
    )
    .await
    .expect("local review");
    v.submit(&format!("{case}/local")).await;
    v.check("local review").await;
    // Publication: too soon after the final report went, then the report is public.
    v.go(&format!("{case}/publication")).await;
    let pdf = dir.path().join("child-c.pdf");
    std::fs::write(
        &pdf,
        masa::demo::demo_paper("Practice review: Child C").expect("pdf"),
    )
    .expect("write pdf");
    let publish = |on: &'static str| {
        format!(
            "{SET_DATE}document.getElementById('public_title').value = 'Practice review: Child C';\
             document.getElementById('public_summary').value = 'What we learned.';\
             masaDate('published_on', '{on}');"
        )
    };
    v.b.execute(&publish("2023-03-02"), vec![])
        .await
        .expect("fill");
    v.b.find(Locator::Id("report"))
        .await
        .expect("file input")
        .send_keys(&pdf.display().to_string())
        .await
        .expect("choose file");
    v.click(Locator::Css(&format!(
        "form[action^='{case}/publish'] button[type=submit]"
    )))
    .await;
    assert!(
        v.text(".govuk-error-summary")
            .await
            .contains("publish on or after")
    );
    v.check("publication errors").await;
    v.b.execute(&publish("2023-03-14"), vec![])
        .await
        .expect("fill");
    v.b.find(Locator::Id("report"))
        .await
        .expect("file input")
        .send_keys(&pdf.display().to_string())
        .await
        .expect("choose file");
    v.click(Locator::Css(&format!(
        "form[action^='{case}/publish'] button[type=submit]"
    )))
    .await;
    v.check("published").await;
    v.go("/p/plymouth/reviews").await;
    v.click(Locator::LinkText("Practice review: Child C")).await;
    assert!(v.text("main").await.contains("What we learned."));
    v.check("published review").await;
    // The learning loop: a recommendation, an action from it in the tracker, then the loop page
    // and the yearly figures.
    v.go(&case).await;
    v.go(&format!("{case}/learning")).await;
    v.b.execute(
        "document.querySelectorAll('details').forEach(d => d.open = true);\
         document.getElementById('recommendation').value = 'Strategy meetings are held whenever a child may be at risk.';",
        vec![],
    )
    .await
    .expect("recommendation");
    v.submit(&format!("{case}/recommendations")).await;
    v.check("recommendation added").await;
    let rec =
        v.b.find(Locator::Css(
            "form[action$='/actions'][action^='/reviews/recommendations/']",
        ))
        .await
        .expect("the action form")
        .attr("action")
        .await
        .expect("attr")
        .expect("action");
    v.b.execute(
        "document.querySelectorAll('details').forEach(d => d.open = true)",
        vec![],
    )
    .await
    .expect("open");
    v.submit(&rec).await;
    assert!(
        v.text(".govuk-error-summary")
            .await
            .contains("Describe the action")
    );
    v.check("recommendation action errors").await;
    v.go("/reviews/learning").await;
    assert!(v.text("main").await.contains("No actions yet"));
    v.b.find(Locator::Css("svg#loop-chart[role='img']"))
        .await
        .expect("the learning loop's chart");
    v.go("/reviews/figures").await;
    v.go("/reviews/figures?from=2022-04-01&to=2023-03-31").await;
    assert!(v.text("main").await.contains("Rapid reviews completed"));
    for id in ["on-time-chart", "decisions-chart"] {
        v.b.find(Locator::Css(&format!("svg#{id}[role='img']")))
            .await
            .expect("the figures' charts");
    }
    v.print_check("figures-print").await;
    v.go("/reviews").await;
    // Assurance plans: the seeded plan's grid, a return and raising an action from a red
    // answer; then a new plan's errors and its draft with the forms for questions and agencies.
    v.go("/thresholds").await;
    v.click(Locator::LinkText("Edition 2: Plymouth levels of need"))
        .await;
    v.check("/thresholds/editions/2").await;
    v.click(Locator::Css("a[href$='/indicators/new']")).await;
    v.check("/thresholds/editions/2/indicators/new").await;
    v.go("/thresholds/usage").await;
    // The scorecard: the hub and its errors, the seed's Q1 2022/23 as it stands and as
    // published (with its trend charts), publishing, a section's commentary, the council's
    // figures and their errors, the catalogue, an indicator, who sends the figures.
    v.go("/scorecard").await;
    v.submit("/scorecard/periods").await;
    v.check("scorecard period errors").await;
    v.click(Locator::LinkText("Q1 2022/23")).await;
    v.check("scorecard Q1 2022/23").await;
    let q1 = v.b.current_url().await.expect("url").path().to_owned();
    v.b.find(Locator::Css(
        "svg#trend-referrals-referrals-rate[role='img']",
    ))
    .await
    .expect("a trend chart");
    v.go(&format!("{q1}/publications/1")).await;
    v.go(&format!("{q1}/publish")).await;
    v.go(&format!("{q1}/commentary/referrals")).await;
    v.go(&format!("{q1}/organisations/plymouth-city-council"))
        .await;
    v.fill("v-referrals", "lots").await;
    v.submit(&format!("{q1}/organisations/plymouth-city-council"))
        .await;
    v.check("scorecard figures errors").await;
    v.go("/scorecard/indicators").await;
    v.go("/scorecard/indicators/referrals-rate").await;
    v.go("/scorecard/submitters").await;
    v.go("/scorecard/history").await;
    v.click(Locator::Css(
        "form[action^='/scorecard/history'] button[type=submit]",
    ))
    .await;
    v.check("scorecard past figures errors").await;
    // The statutory returns: a census that is not one refused with its problems, then a small
    // generated census imported, and the import's record (its digest breaks on a phone).
    v.go("/scorecard/returns").await;
    let returns = std::env::temp_dir().join(format!("masa-walk-returns-{}", std::process::id()));
    let made = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/gen_returns.py"
        ))
        .args([
            "--children",
            "60",
            "--lac",
            "20",
            "--episodes",
            "40",
            "--seed",
            "2",
            "--out",
        ])
        .arg(&returns)
        .status()
        .expect("the generator runs");
    assert!(made.success());
    let not_a_census = returns.join("not-a-census.xml");
    std::fs::write(&not_a_census, "<Message><Header></Header><Children><Child>").expect("write");
    for (file, then) in [
        (not_a_census, "scorecard returns errors"),
        (returns.join("census.xml"), "scorecard returns imported"),
    ] {
        v.b.find(Locator::Id("census-file"))
            .await
            .expect("the census input")
            .send_keys(&file.display().to_string())
            .await
            .expect("choose the file");
        v.click(Locator::Css(
            "form[action^='/scorecard/returns/census'] button[type=submit]",
        ))
        .await;
        v.check(then).await;
    }
    assert!(v.text("main").await.contains("SHA-256"));
    let _ = std::fs::remove_dir_all(&returns);
    // Training: a course refused then added, a session refused then added, a place booked.
    v.go("/training").await;
    v.go("/training/courses/new").await;
    v.submit("/training/courses").await;
    v.check("training course errors").await;
    v.fill("title", "Neglect: recognising it and acting on it")
        .await;
    v.fill(
        "outcomes",
        "Know the signs of neglect\nUse the neglect screening tool",
    )
    .await;
    v.b.execute(
        "document.getElementById('level').value = 'core'; document.getElementById('delivery').value = 'in-person';",
        vec![],
    )
    .await
    .expect("choose level and delivery");
    v.fill("minutes", "180").await;
    v.submit("/training/courses").await;
    v.check("training course").await;
    let course = v.b.current_url().await.expect("url").path().to_owned();
    v.go(&format!("{course}/edit")).await;
    v.go(&format!("{course}/sessions/new")).await;
    let sessions = format!("{course}/sessions");
    v.submit(&sessions).await;
    v.check("training session errors").await;
    let held = (chrono::Utc::now().date_naive() + chrono::Duration::days(40))
        .format("%Y-%m-%d")
        .to_string();
    let opens = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    v.fill_date("held_on", &held).await;
    v.fill_date("opens_on", &opens).await;
    v.fill_date("closes_on", &held).await;
    v.fill("start_time", "09:30").await;
    v.fill("end_time", "12:30").await;
    v.fill("venue", "Jan Cutting Healthy Living Centre, Scott Road")
        .await;
    v.fill("capacity", "1").await;
    v.submit(&sessions).await;
    v.check("training session").await;
    let session = v.b.current_url().await.expect("url").path().to_owned();
    v.submit(&format!("{session}/book")).await;
    v.check("training session booked").await;
    v.go(&format!("{session}/edit")).await;
    v.go(&format!("{session}/cancel")).await;
    v.submit(&format!("{session}/cancel")).await;
    v.check("training session cancel errors").await;
    v.go(&format!("{session}/register")).await;
    // A session already held, whose register the demo took.
    let ply = masa::partnerships::store::by_slug(&state.db, "plymouth")
        .await
        .expect("q")
        .expect("plymouth");
    let held = masa::training::store::sessions(&state.db, masa::store::PartnershipId(ply.id), None)
        .await
        .expect("sessions")
        .into_iter()
        .find(|s| s.status == masa::training::model::SessionStatus::Delivered)
        .expect("a delivered session");
    v.go(&format!("/training/sessions/{}", held.id)).await;
    v.go(&format!("/training/sessions/{}/register", held.id))
        .await;
    v.submit(&format!("/training/sessions/{}/register", held.id))
        .await;
    v.check("training register saved").await;
    v.go("/training").await;
    v.go("/training/courses").await;
    v.go("/training/record").await;
    v.go("/training/figures").await;
    v.go("/training/figures?from-day=31&from-month=3&from-year=2027&to-day=1&to-month=4&to-year=2026")
        .await;
    v.go("/assurance").await;
    let seeded =
        v.b.find(Locator::Css("table a[href^='/assurance/']"))
            .await
            .expect("the seeded plan")
            .attr("href")
            .await
            .expect("href")
            .expect("href");
    v.go(&seeded).await;
    for stage in ["questions", "issue", "returns"] {
        v.go(&format!("{seeded}/{stage}")).await;
    }
    for (stage, css) in [
        ("agencies", "a[href^='/assurance/returns/']"),
        ("actions", "a[href$='/action']"),
    ] {
        v.go(&format!("{seeded}/{stage}")).await;
        let href =
            v.b.find(Locator::Css(css))
                .await
                .unwrap_or_else(|_| panic!("no {css}"))
                .attr("href")
                .await
                .expect("href")
                .expect("href");
        v.go(&href).await;
    }
    v.go("/assurance/new?from=2022").await;
    v.submit("/assurance").await;
    v.check("assurance plan errors").await;
    v.b.execute(
        &format!("{SET_DATE}{}", "masaDate('answers_due', '2099-01-31');"),
        vec![],
    )
    .await
    .expect("fill the due date");
    v.submit("/assurance").await;
    assert!(
        v.text("h1")
            .await
            .contains("Assurance on the 2022 national review")
    );
    v.check("assurance draft").await;
    let draft = v.b.current_url().await.expect("url").path().to_owned();
    for stage in ["questions", "agencies", "issue"] {
        v.go(&format!("{draft}/{stage}")).await;
    }
    // A form's errors, as the design system shows them.
    v.go("/admin/arrangements/organisations/new").await;
    v.fill("name", "").await;
    v.submit("/admin/arrangements/organisations").await;
    v.check("organisation errors").await;
    v.go("/admin/people").await;
    let first_person =
        v.b.find(Locator::Css("table a[href^='/admin/people/']"))
            .await
            .expect("a person")
            .attr("href")
            .await
            .expect("href")
            .expect("href");
    v.go(&first_person).await;
    v.go(&format!("{first_person}/seats")).await;
    let first_entry = {
        v.go("/audit").await;
        v.b.find(Locator::Css("table a[href^='/audit/']"))
            .await
            .expect("an entry")
            .attr("href")
            .await
            .expect("href")
            .expect("href")
    };
    v.go(&first_entry).await;

    // Invite someone, with a mistake first.
    v.go("/admin/people/invite").await;
    v.fill("email", "not an email").await;
    v.submit("/admin/people/invite").await;
    v.check("invite errors").await;
    v.fill("name", "Rosa Reviewer").await;
    v.fill("email", "rosa.reviewer@example.org").await;
    v.fill("organisation", "Independent scrutiny").await;
    v.b.find(Locator::Id("role-scrutineer"))
        .await
        .expect("radio")
        .click()
        .await
        .expect("click");
    v.submit("/admin/people/invite").await;
    // Without a mail server the link is shown to the inviter this once, and never in the
    // outbox.
    assert!(v.text("h1").await.contains("Invitation made"));
    v.check("invited").await;
    let link = v.text("#invitation-link").await.trim().to_owned();
    assert!(link.contains("/invitations/"), "{link}");
    v.go("/admin/outbox").await;
    v.click(Locator::LinkText(
        "You are invited to Plymouth Safeguarding Children Partnership on masa",
    ))
    .await;
    v.check("outbox message").await;
    let body = v.text("#message-body").await;
    assert!(
        body.contains(masa::mail::SECRET_LINK) && !body.contains("/invitations/"),
        "{body}"
    );
    v.submit("/sign-out").await;

    // The invitee chooses a password, signs in, and must set up two-factor before anything
    // else.
    v.b.goto(&link).await.expect("open the link");
    v.check("invitation").await;
    v.fill("password", "rosa's long secret phrase").await;
    v.fill("confirm_password", "rosa's long secret phrase")
        .await;
    v.click(Locator::Css("main form button[type=submit]")).await;
    assert!(v.text("h1").await.contains("Sign in"));
    v.check("sign in after choosing a password").await;
    v.fill("email", "rosa.reviewer@example.org").await;
    v.fill("password", "rosa's long secret phrase").await;
    v.submit("/sign-in").await;
    assert!(
        v.text("h1")
            .await
            .contains("Set up two-factor authentication")
    );
    v.check("two-factor set-up").await;
    let key = v.text("p .masa-code").await;
    let code = totp::code_at(&key, chrono::Utc::now().timestamp() as u64).expect("code");
    v.fill("code", &code).await;
    v.submit("/account/two-factor").await;
    let codes = v.text("#recovery-codes").await;
    assert_eq!(codes.lines().count(), 10, "{codes}");
    v.check("recovery codes").await;
    v.go("/").await;
    assert!(v.text("main").await.contains("Welcome, Rosa Reviewer"));
    v.go("/audit").await;
    assert!(v.checked.len() >= 37, "visited {:?}", v.checked);
    assert!(
        v.wide.is_empty(),
        "pages wider than a 390-pixel phone:\n{}",
        v.wide.join("\n")
    );
    b.close().await.expect("close");
}
