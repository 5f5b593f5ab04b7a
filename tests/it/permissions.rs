//! Every route, every role: allowed or refused, as this table says. A route missing from the
//! table fails the test, so a new page cannot arrive without a decision about who sees it.

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use masa::accounts::store as accounts;

use crate::support::{Client, TestApp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Public,
    Practitioner,
    Member,
    Scrutineer,
    Admin,
    Host,
}
use Who::*;

const EVERYONE: &[Who] = &[Public, Practitioner, Member, Scrutineer, Admin, Host];
const SIGNED_IN: &[Who] = &[Practitioner, Member, Scrutineer, Admin, Host];
const IN_PARTNERSHIP: &[Who] = &[Practitioner, Member, Scrutineer, Admin];
const ADMIN: &[Who] = &[Admin];
const OVERSIGHT: &[Who] = &[Scrutineer, Admin];
const GOVERNANCE: &[Who] = &[Member, Scrutineer, Admin];
const HOST: &[Who] = &[Host];

/// Who may use each route. Written out by hand: this is the specification.
fn expected() -> BTreeMap<(&'static str, &'static str), &'static [Who]> {
    let t: &[(&str, &str, &[Who])] = &[
        ("GET", "/", EVERYONE),
        ("GET", "/accessibility", EVERYONE),
        ("GET", "/privacy", EVERYONE),
        ("GET", "/admin", ADMIN),
        ("GET", "/system", HOST),
        ("GET", "/sign-in", EVERYONE),
        ("POST", "/sign-in", EVERYONE),
        ("GET", "/sign-in/two-factor", EVERYONE),
        ("POST", "/sign-in/two-factor", EVERYONE),
        ("POST", "/sign-out", EVERYONE),
        ("GET", "/password-reset", EVERYONE),
        ("POST", "/password-reset", EVERYONE),
        ("GET", "/password-reset/{token}", EVERYONE),
        ("POST", "/password-reset/{token}", EVERYONE),
        ("GET", "/invitations/{token}", EVERYONE),
        ("POST", "/invitations/{token}", EVERYONE),
        ("GET", "/p/{slug}", EVERYONE),
        ("GET", "/p/{slug}/arrangements", EVERYONE),
        ("GET", "/p/{slug}/agencies", EVERYONE),
        ("GET", "/p/{slug}/arrangements.pdf", EVERYONE),
        ("GET", "/system/bank-holidays", HOST),
        ("GET", "/meetings", GOVERNANCE),
        ("GET", "/meetings/due", GOVERNANCE),
        ("GET", "/meetings/mine", GOVERNANCE),
        ("GET", "/api/v1/meetings", GOVERNANCE),
        ("GET", "/api/v1/meetings/{id}", GOVERNANCE),
        ("GET", "/api/v1/decisions", GOVERNANCE),
        ("GET", "/api/v1/actions", GOVERNANCE),
        ("GET", "/api/v1/actions/{id}", GOVERNANCE),
        ("POST", "/meetings/mine/feed", GOVERNANCE),
        ("POST", "/meetings/mine/feed/stop", GOVERNANCE),
        ("GET", "/calendar/{file}", EVERYONE),
        ("GET", "/admin/people/{id}/seats", ADMIN),
        ("POST", "/admin/people/{id}/seats", ADMIN),
        ("GET", "/meetings/bodies/{key}", GOVERNANCE),
        ("POST", "/meetings/bodies/{key}", ADMIN),
        ("POST", "/meetings/bodies/{key}/plan", ADMIN),
        ("GET", "/meetings/bodies/{key}/attendance", GOVERNANCE),
        ("GET", "/meetings/bodies/{key}/programme", GOVERNANCE),
        ("POST", "/meetings/bodies/{key}/programme", ADMIN),
        ("POST", "/meetings/bodies/{key}/urgent", ADMIN),
        ("POST", "/meetings/programme/{id}/agenda", ADMIN),
        ("GET", "/meetings/{id}", GOVERNANCE),
        ("POST", "/meetings/{id}", ADMIN),
        ("POST", "/meetings/{id}/agenda", ADMIN),
        // A meeting's cycle, each stage on its own page (each posts to its form's route).
        ("GET", "/meetings/{id}/agenda", GOVERNANCE),
        ("GET", "/meetings/{id}/papers", GOVERNANCE),
        ("GET", "/meetings/{id}/decisions", GOVERNANCE),
        ("GET", "/meetings/{id}/minutes", GOVERNANCE),
        ("GET", "/meetings/{id}/approval", GOVERNANCE),
        ("GET", "/meetings/{id}/change", ADMIN),
        ("GET", "/meetings/{id}/attendance", GOVERNANCE),
        ("POST", "/meetings/{id}/attendance", ADMIN),
        ("POST", "/meetings/{id}/minutes", ADMIN),
        ("GET", "/meetings/items/{item}", GOVERNANCE),
        ("POST", "/meetings/items/{item}/minute", ADMIN),
        ("POST", "/meetings/items/{item}/declarations", ADMIN),
        ("POST", "/meetings/items/{item}/decisions", ADMIN),
        ("POST", "/meetings/items/{item}/actions", ADMIN),
        ("POST", "/meetings/items/{item}/papers", ADMIN),
        ("POST", "/meetings/items/{item}/readers", ADMIN),
        ("GET", "/meetings/papers/{id}/{number}", GOVERNANCE),
        ("GET", "/meetings/{id}/pack", GOVERNANCE),
        ("POST", "/meetings/{id}/publish", ADMIN),
        ("GET", "/p/{slug}/meetings", EVERYONE),
        ("GET", "/p/{slug}/meetings/{id}", EVERYONE),
        ("GET", "/p/{slug}/papers/{id}", EVERYONE),
        ("GET", "/search", GOVERNANCE),
        ("GET", "/reviews/rules", GOVERNANCE),
        ("GET", "/reviews", GOVERNANCE),
        ("GET", "/api/v1/reviews", GOVERNANCE),
        ("GET", "/api/v1/reviews/{id}", GOVERNANCE),
        ("GET", "/api/v1/reviews/figures", GOVERNANCE),
        ("POST", "/reviews", ADMIN),
        ("GET", "/reviews/new", ADMIN),
        ("GET", "/reviews/{id}", GOVERNANCE),
        // A case's stages: the case's own readers only (the handlers check its sight).
        ("GET", "/reviews/{id}/notification", GOVERNANCE),
        ("GET", "/reviews/{id}/information", GOVERNANCE),
        ("GET", "/reviews/{id}/rapid", GOVERNANCE),
        ("GET", "/reviews/{id}/decision", GOVERNANCE),
        ("GET", "/reviews/{id}/local", GOVERNANCE),
        ("GET", "/reviews/{id}/publication", GOVERNANCE),
        ("GET", "/reviews/{id}/learning", GOVERNANCE),
        ("POST", "/reviews/{id}/dates", ADMIN),
        ("POST", "/reviews/{id}/decision", ADMIN),
        ("POST", "/reviews/{id}/signoff", GOVERNANCE),
        ("POST", "/reviews/{id}/rapid", ADMIN),
        ("POST", "/reviews/{id}/rapid-report", ADMIN),
        ("GET", "/reviews/{id}/rapid-report", GOVERNANCE),
        ("POST", "/reviews/{id}/requests", ADMIN),
        ("GET", "/reviews/{id}/chronology.csv", GOVERNANCE),
        ("GET", "/reviews/requests", IN_PARTNERSHIP),
        ("GET", "/reviews/requests/{rid}", IN_PARTNERSHIP),
        ("POST", "/reviews/requests/{rid}/entries", IN_PARTNERSHIP),
        ("POST", "/reviews/requests/{rid}/return", IN_PARTNERSHIP),
        ("GET", "/api/v1/review-requests", IN_PARTNERSHIP),
        ("GET", "/api/v1/review-requests/{id}", IN_PARTNERSHIP),
        ("POST", "/reviews/{id}/local", ADMIN),
        ("POST", "/reviews/{id}/publish", ADMIN),
        ("POST", "/reviews/{id}/not-published", ADMIN),
        ("POST", "/reviews/{id}/recommendations", ADMIN),
        ("POST", "/reviews/recommendations/{rid}/actions", ADMIN),
        ("POST", "/reviews/recommendations/{rid}/outputs", ADMIN),
        ("POST", "/reviews/recommendations/{rid}/practice", ADMIN),
        ("GET", "/reviews/learning", GOVERNANCE),
        ("GET", "/reviews/figures", GOVERNANCE),
        ("GET", "/reviews/figures.csv", GOVERNANCE),
        ("GET", "/reviews.csv", GOVERNANCE),
        ("GET", "/reviews.xlsx", GOVERNANCE),
        ("GET", "/p/{slug}/reviews", EVERYONE),
        ("GET", "/p/{slug}/reviews/{id}", EVERYONE),
        ("GET", "/p/{slug}/reviews/{id}/report", EVERYONE),
        // Assurance plans: every member may reach the pages (a responder may be a practitioner);
        // the handlers show each only what is theirs, and not found for the rest.
        ("GET", "/assurance", IN_PARTNERSHIP),
        ("POST", "/assurance", ADMIN),
        ("GET", "/assurance/new", ADMIN),
        ("GET", "/assurance/{id}", IN_PARTNERSHIP),
        ("GET", "/assurance/{id}/questions", IN_PARTNERSHIP),
        ("GET", "/assurance/{id}/agencies", IN_PARTNERSHIP),
        ("GET", "/assurance/{id}/issue", IN_PARTNERSHIP),
        ("GET", "/assurance/{id}/returns", IN_PARTNERSHIP),
        ("GET", "/assurance/{id}/actions", IN_PARTNERSHIP),
        ("POST", "/assurance/{id}/questions", ADMIN),
        ("POST", "/assurance/{id}/agencies", ADMIN),
        ("POST", "/assurance/{id}/issue", ADMIN),
        ("GET", "/assurance/questions/{id}", ADMIN),
        ("POST", "/assurance/questions/{id}", ADMIN),
        ("POST", "/assurance/questions/{id}/remove", ADMIN),
        ("POST", "/assurance/agencies/{id}/remove", ADMIN),
        ("GET", "/assurance/returns/{id}", IN_PARTNERSHIP),
        ("POST", "/assurance/returns/{id}/submit", IN_PARTNERSHIP),
        ("GET", "/assurance/returns/{id}/{question}", IN_PARTNERSHIP),
        ("POST", "/assurance/returns/{id}/{question}", IN_PARTNERSHIP),
        ("GET", "/assurance/evidence/{id}", IN_PARTNERSHIP),
        ("GET", "/assurance/answers/{id}", IN_PARTNERSHIP),
        ("GET", "/assurance/answers/{id}/action", ADMIN),
        ("POST", "/assurance/answers/{id}/action", ADMIN),
        ("GET", "/api/v1/assurance", IN_PARTNERSHIP),
        ("GET", "/api/v1/assurance/{id}", IN_PARTNERSHIP),
        // The scorecard: the partnership's governance reads it; the business unit keeps the
        // catalogue, opens, publishes and names the senders. A sender (who may be a
        // practitioner) sends their organisation's figures and writes its sections'
        // commentary: the handler decides who is named (the business unit is, for every one).
        ("GET", "/scorecard", GOVERNANCE),
        ("POST", "/scorecard/periods", ADMIN),
        ("GET", "/scorecard/periods/{id}", GOVERNANCE),
        ("GET", "/scorecard/periods/{id}/publish", ADMIN),
        ("POST", "/scorecard/periods/{id}/publish", ADMIN),
        (
            "GET",
            "/scorecard/periods/{id}/publications/{number}",
            GOVERNANCE,
        ),
        (
            "GET",
            "/scorecard/periods/{id}/publications/{number}/paper.pdf",
            GOVERNANCE,
        ),
        (
            "GET",
            "/scorecard/periods/{id}/commentary/{section}",
            IN_PARTNERSHIP,
        ),
        (
            "POST",
            "/scorecard/periods/{id}/commentary/{section}",
            IN_PARTNERSHIP,
        ),
        (
            "GET",
            "/scorecard/periods/{id}/organisations/{org}",
            IN_PARTNERSHIP,
        ),
        (
            "POST",
            "/scorecard/periods/{id}/organisations/{org}",
            IN_PARTNERSHIP,
        ),
        (
            "POST",
            "/scorecard/periods/{id}/organisations/{org}/upload",
            IN_PARTNERSHIP,
        ),
        (
            "GET",
            "/scorecard/periods/{id}/organisations/{org}/template.csv",
            IN_PARTNERSHIP,
        ),
        (
            "GET",
            "/scorecard/periods/{id}/organisations/{org}/template.xlsx",
            IN_PARTNERSHIP,
        ),
        ("GET", "/scorecard/indicators", GOVERNANCE),
        ("POST", "/scorecard/indicators", ADMIN),
        ("GET", "/scorecard/indicators/{code}", GOVERNANCE),
        ("GET", "/scorecard/document", GOVERNANCE),
        ("GET", "/scorecard/submitters", ADMIN),
        ("POST", "/scorecard/submitters", ADMIN),
        ("POST", "/scorecard/submitters/remove", ADMIN),
        ("GET", "/scorecard/history", ADMIN),
        ("POST", "/scorecard/history", ADMIN),
        ("GET", "/scorecard/returns", ADMIN),
        ("POST", "/scorecard/returns/census", ADMIN),
        ("POST", "/scorecard/returns/903", ADMIN),
        ("GET", "/p/{slug}/scorecard.csv", EVERYONE),
        ("GET", "/api/v1/scorecard/periods", GOVERNANCE),
        ("GET", "/api/v1/scorecard/periods/{id}", GOVERNANCE),
        ("GET", "/api/v1/scorecard/indicators", GOVERNANCE),
        (
            "POST",
            "/api/v1/scorecard/periods/{id}/organisations/{org}/figures",
            IN_PARTNERSHIP,
        ),
        // Training: everyone in the partnership sees the programme and books; the training
        // officer (the business unit) keeps courses and sessions. A handler decides whose
        // booking may be cancelled (the person's own, or anyone's by the business unit).
        ("GET", "/training", IN_PARTNERSHIP),
        ("GET", "/training/courses", IN_PARTNERSHIP),
        ("POST", "/training/courses", ADMIN),
        ("GET", "/training/courses/new", ADMIN),
        ("GET", "/training/courses/{id}", IN_PARTNERSHIP),
        ("POST", "/training/courses/{id}", ADMIN),
        ("GET", "/training/courses/{id}/edit", ADMIN),
        ("GET", "/training/courses/{id}/sessions/new", ADMIN),
        ("POST", "/training/courses/{id}/sessions", ADMIN),
        ("GET", "/training/sessions/{id}", IN_PARTNERSHIP),
        ("POST", "/training/sessions/{id}", ADMIN),
        ("GET", "/training/sessions/{id}/edit", ADMIN),
        ("GET", "/training/sessions/{id}/cancel", ADMIN),
        ("POST", "/training/sessions/{id}/cancel", ADMIN),
        ("GET", "/training/sessions/{id}/register", ADMIN),
        ("POST", "/training/sessions/{id}/register", ADMIN),
        ("GET", "/training/record", IN_PARTNERSHIP),
        ("GET", "/training/figures", OVERSIGHT),
        ("GET", "/api/v1/training/sessions", IN_PARTNERSHIP),
        (
            "POST",
            "/api/v1/training/sessions/{id}/bookings",
            IN_PARTNERSHIP,
        ),
        ("GET", "/api/v1/training/bookings", IN_PARTNERSHIP),
        ("GET", "/api/v1/training/figures", OVERSIGHT),
        ("GET", "/training/figures.csv", OVERSIGHT),
        ("GET", "/training/figures.xlsx", OVERSIGHT),
        ("POST", "/training/sessions/{id}/book", IN_PARTNERSHIP),
        (
            "GET",
            "/training/bookings/{id}/certificate.pdf",
            IN_PARTNERSHIP,
        ),
        ("POST", "/training/bookings/{id}/accept", IN_PARTNERSHIP),
        ("POST", "/training/bookings/{id}/cancel", IN_PARTNERSHIP),
        ("GET", "/thresholds", GOVERNANCE),
        ("POST", "/thresholds", ADMIN),
        ("POST", "/thresholds/editions", ADMIN),
        ("GET", "/thresholds/editions/{id}", GOVERNANCE),
        ("GET", "/thresholds/editions/{id}/file", GOVERNANCE),
        ("POST", "/thresholds/editions/{id}/file", ADMIN),
        ("POST", "/thresholds/editions/{id}/ask", ADMIN),
        ("POST", "/thresholds/editions/{id}/sign", GOVERNANCE),
        ("GET", "/thresholds/editions/{id}/publish", ADMIN),
        ("POST", "/thresholds/editions/{id}/publish", ADMIN),
        ("GET", "/thresholds/editions/{id}/indicators/{key}", ADMIN),
        ("POST", "/thresholds/editions/{id}/indicators/{key}", ADMIN),
        ("GET", "/thresholds/editions/{id}/contacts/{key}", ADMIN),
        ("POST", "/thresholds/editions/{id}/contacts/{key}", ADMIN),
        ("GET", "/thresholds/usage", GOVERNANCE),
        ("GET", "/thresholds/usage.csv", GOVERNANCE),
        ("GET", "/help/thresholds-file", IN_PARTNERSHIP),
        ("GET", "/p/{slug}/thresholds", EVERYONE),
        ("GET", "/p/{slug}/thresholds/editions", EVERYONE),
        ("GET", "/p/{slug}/thresholds.pdf", EVERYONE),
        ("GET", "/p/{slug}/worried", EVERYONE),
        ("GET", "/api/v1/p/{slug}/thresholds", EVERYONE),
        ("GET", "/api/v1/thresholds/usage", GOVERNANCE),
        // Policies and procedures: everyone in the partnership reads the library (practitioners
        // work to it); the business unit keeps it. The public read the current documents and
        // subscribe, and confirm or stop by the links emailed to them.
        ("GET", "/procedures", IN_PARTNERSHIP),
        ("POST", "/procedures", ADMIN),
        ("GET", "/procedures/new", ADMIN),
        ("GET", "/procedures/{id}", IN_PARTNERSHIP),
        ("GET", "/procedures/{id}/versions/{number}", IN_PARTNERSHIP),
        ("GET", "/procedures/{id}/edit", ADMIN),
        ("POST", "/procedures/{id}/edit", ADMIN),
        ("GET", "/procedures/{id}/version", ADMIN),
        ("POST", "/procedures/{id}/version", ADMIN),
        ("GET", "/procedures/{id}/reviewed", ADMIN),
        ("POST", "/procedures/{id}/reviewed", ADMIN),
        ("GET", "/procedures/{id}/withdraw", ADMIN),
        ("POST", "/procedures/{id}/withdraw", ADMIN),
        ("GET", "/api/v1/procedures", IN_PARTNERSHIP),
        ("GET", "/api/v1/procedures/{id}", IN_PARTNERSHIP),
        ("GET", "/p/{slug}/procedures", EVERYONE),
        ("POST", "/p/{slug}/procedures/subscribe", EVERYONE),
        ("GET", "/p/{slug}/procedures/{id}", EVERYONE),
        ("POST", "/p/{slug}/procedures/{id}/subscribe", EVERYONE),
        ("GET", "/p/{slug}/procedures/{id}/file", EVERYONE),
        ("GET", "/procedure-subscriptions/confirm/{token}", EVERYONE),
        ("POST", "/procedure-subscriptions/confirm/{token}", EVERYONE),
        (
            "GET",
            "/procedure-subscriptions/unsubscribe/{token}",
            EVERYONE,
        ),
        (
            "POST",
            "/procedure-subscriptions/unsubscribe/{token}",
            EVERYONE,
        ),
        ("GET", "/system/review-editions", HOST),
        ("POST", "/system/review-editions", HOST),
        ("POST", "/actions/{id}/evidence", ADMIN),
        ("GET", "/actions/evidence/{id}", GOVERNANCE),
        ("GET", "/actions", GOVERNANCE),
        ("GET", "/actions/tracking", GOVERNANCE),
        ("GET", "/actions/tracking.csv", GOVERNANCE),
        ("GET", "/actions/tracking.xlsx", GOVERNANCE),
        ("GET", "/actions/{id}", GOVERNANCE),
        ("POST", "/actions/{id}", ADMIN),
        ("GET", "/admin/meetings/rules", ADMIN),
        ("POST", "/admin/meetings/rules", ADMIN),
        ("POST", "/system/bank-holidays", HOST),
        ("GET", "/arrangements", IN_PARTNERSHIP),
        ("GET", "/arrangements/reporting", IN_PARTNERSHIP),
        ("GET", "/arrangements/questions", IN_PARTNERSHIP),
        ("GET", "/admin/arrangements", ADMIN),
        ("POST", "/admin/arrangements", ADMIN),
        ("GET", "/admin/arrangements/file", OVERSIGHT),
        ("GET", "/admin/arrangements/entry", ADMIN),
        ("GET", "/admin/arrangements/memberships", ADMIN),
        ("GET", "/admin/arrangements/bodies/new", ADMIN),
        ("POST", "/admin/arrangements/bodies", ADMIN),
        ("GET", "/admin/arrangements/organisations", ADMIN),
        ("POST", "/admin/arrangements/organisations", ADMIN),
        ("GET", "/admin/arrangements/organisations/new", ADMIN),
        ("GET", "/admin/arrangements/organisations/{key}", ADMIN),
        ("POST", "/admin/arrangements/organisations/{key}", ADMIN),
        ("GET", "/admin/arrangements/posts", ADMIN),
        ("POST", "/admin/arrangements/posts", ADMIN),
        ("GET", "/admin/arrangements/posts/new", ADMIN),
        ("GET", "/admin/arrangements/posts/{key}", ADMIN),
        ("POST", "/admin/arrangements/posts/{key}", ADMIN),
        ("GET", "/admin/arrangements/partners", ADMIN),
        ("GET", "/admin/arrangements/sections", ADMIN),
        ("POST", "/admin/arrangements/sections", ADMIN),
        ("GET", "/admin/arrangements/partner", ADMIN),
        ("GET", "/admin/arrangements/additional-partners", ADMIN),
        ("GET", "/admin/arrangements/additional-partner", ADMIN),
        ("POST", "/admin/arrangements/additional-partner", ADMIN),
        ("POST", "/admin/arrangements/partner", ADMIN),
        ("GET", "/admin/arrangements/bodies/{key}", ADMIN),
        ("POST", "/admin/arrangements/bodies/{key}", ADMIN),
        ("POST", "/admin/arrangements/memberships", ADMIN),
        ("POST", "/admin/arrangements/memberships/end", ADMIN),
        ("POST", "/admin/arrangements/entry", ADMIN),
        ("GET", "/help/arrangements-file", IN_PARTNERSHIP),
        ("GET", "/account", SIGNED_IN),
        ("GET", "/account/alive", SIGNED_IN),
        ("GET", "/account/two-factor", SIGNED_IN),
        ("POST", "/account/two-factor", SIGNED_IN),
        ("GET", "/account/password", SIGNED_IN),
        ("POST", "/account/password", SIGNED_IN),
        ("GET", "/account/tokens", SIGNED_IN),
        ("POST", "/account/tokens", SIGNED_IN),
        ("POST", "/account/tokens/{id}/revoke", SIGNED_IN),
        ("POST", "/switch-partnership", SIGNED_IN),
        ("GET", "/admin/people", ADMIN),
        ("GET", "/admin/people/invite", ADMIN),
        ("POST", "/admin/people/invite", ADMIN),
        ("GET", "/admin/people/{id}", ADMIN),
        ("POST", "/admin/people/{id}", ADMIN),
        ("POST", "/admin/people/{id}/remove", ADMIN),
        ("GET", "/admin/partnership", ADMIN),
        ("POST", "/admin/partnership", ADMIN),
        ("GET", "/admin/outbox", ADMIN),
        ("GET", "/admin/outbox/{id}", ADMIN),
        ("GET", "/audit", OVERSIGHT),
        ("GET", "/audit.csv", OVERSIGHT),
        ("GET", "/audit/{id}", OVERSIGHT),
        ("GET", "/system/partnerships", HOST),
        ("POST", "/system/partnerships", HOST),
        ("GET", "/api/v1/openapi.json", EVERYONE),
        ("GET", "/api/v1/me", IN_PARTNERSHIP),
        ("GET", "/api/v1/people", OVERSIGHT),
        ("GET", "/api/v1/people/{id}", OVERSIGHT),
        ("GET", "/api/v1/audit", OVERSIGHT),
        ("GET", "/api/v1/arrangements", IN_PARTNERSHIP),
        ("GET", "/api/v1/arrangements/agencies", IN_PARTNERSHIP),
        ("GET", "/api/v1/arrangements/reporting", IN_PARTNERSHIP),
        ("GET", "/api/v1/arrangements/gaps", IN_PARTNERSHIP),
        ("GET", "/api/v1/arrangements/ending", IN_PARTNERSHIP),
        ("GET", "/api/v1/arrangements/changes", IN_PARTNERSHIP),
    ];
    t.iter().map(|(m, p, w)| ((*m, *p), *w)).collect()
}

fn email(who: Who) -> Option<&'static str> {
    match who {
        Public => None,
        Practitioner => Some("practitioner@plymouth.example"),
        Member => Some("member@plymouth.example"),
        Scrutineer => Some("scrutineer@plymouth.example"),
        Admin => Some("business.unit@plymouth.example"),
        Host => Some("host@masa.example"),
    }
}

/// Refused: 401 or 403, or sent to sign in (or to set up two-factor first).
fn refused(status: StatusCode, location: &str) -> bool {
    status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
        || location.starts_with("/sign-in?next=")
        || location == "/account/two-factor"
}

async fn client_for(app: &TestApp, who: Who) -> Client {
    match email(who) {
        Some(e) => app.signed_in(e).await,
        None => {
            let mut c = app.client();
            c.get("/sign-in").await; // a CSRF token, as a browser would have
            c
        }
    }
}

/// An API token for each role that can have one (the host has no partnership, so none).
async fn token_for(app: &TestApp, who: Who) -> Option<String> {
    let e = email(who)?;
    let (user, _) = accounts::user_by_email(&app.state.db, e)
        .await
        .expect("q")
        .expect("user");
    let ms = accounts::memberships_of(&app.state.db, user.id)
        .await
        .expect("m");
    let p = masa::store::PartnershipId(ms.first()?.partnership_id);
    let actor = masa::store::Actor::system("test");
    let mut tx = masa::store::Tx::begin(&app.state.db, &actor)
        .await
        .expect("tx");
    let (_, t) =
        masa::accounts::tokens::create(&mut tx, user.id, p, "test", Some(1), user.two_factor)
            .await
            .expect("token");
    tx.commit().await.expect("commit");
    Some(t)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_every_role() {
    let app = TestApp::new(masa::store::Engine::Sqlite).await;
    let table = expected();
    let routes = masa::app::route_table();
    let missing: Vec<String> = routes
        .iter()
        .filter(|(m, p, _)| !table.contains_key(&(m.as_str(), *p)))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes with no line in the permission table: {missing:?}"
    );
    let stale: Vec<_> = table
        .keys()
        .filter(|(m, p)| {
            !routes
                .iter()
                .any(|(rm, rp, _)| rm.as_str() == *m && rp == p)
        })
        .collect();
    assert!(
        stale.is_empty(),
        "table lines for routes that do not exist: {stale:?}"
    );

    let ply = app.partnership("plymouth");
    let member_id = accounts::members_of(&app.state.db, ply).await.expect("m")[0]
        .0
        .id
        .to_string();
    let outbox_id: String = app
        .state
        .db
        .fetch_one(
            "SELECT MIN(id) AS id FROM outbox WHERE partnership_id = $1",
            masa::args![ply],
        )
        .await
        .expect("q")
        .get::<i64>("id")
        .expect("id")
        .to_string();
    let audit_id: String = app
        .state
        .db
        .fetch_one(
            "SELECT MIN(id) AS id FROM audit_events WHERE partnership_id = $1",
            masa::args![ply],
        )
        .await
        .expect("q")
        .get::<i64>("id")
        .expect("id")
        .to_string();

    let mut failures = Vec::new();
    for who in EVERYONE.iter().copied() {
        let mut c = client_for(&app, who).await;
        let mut api = app.client();
        api.bearer = token_for(&app, who).await;
        // Signing out last, so it does not end the session the other checks use.
        let mut ordered: Vec<_> = routes.iter().collect();
        ordered.sort_by_key(|(_, p, _)| *p == "/sign-out");
        for (method, path, _) in ordered {
            let url = path
                .replace("{token}", "no-such-token")
                .replace("{key}", "no-such-body")
                .replace("{slug}", "plymouth")
                .replace("{id}/remove", "999999/remove")
                .replace("{id}/revoke", "999999/revoke")
                .replace(
                    "{id}",
                    if path.starts_with("/admin/outbox") {
                        &outbox_id
                    } else if path.starts_with("/audit/") {
                        &audit_id
                    } else {
                        &member_id
                    },
                );
            let client = if path.starts_with("/api/") {
                &mut api
            } else {
                &mut c
            };
            let r = if *method == Method::GET {
                client.get(&url).await
            } else {
                client.post(&url, &[]).await
            };
            let allowed = table[&(method.as_str(), *path)].contains(&who);
            if refused(r.status, r.location()) == allowed {
                failures.push(format!(
                    "{who:?} {method} {url}: {} {} (expected {})",
                    r.status,
                    r.location(),
                    if allowed { "allowed" } else { "refused" }
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission table not honoured:\n{}",
        failures.join("\n")
    );
}
