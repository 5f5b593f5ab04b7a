//! Meetings: schedules by the body's own frequency, deadlines in working days, notice of
//! extraordinary meetings, the week's deadlines, and the bank holiday list behind them all.

use axum::http::StatusCode;

use crate::both_engines;
use crate::support::TestApp;

async fn portsmouth_business_unit(app: &TestApp) -> crate::support::Client {
    masa::demo::seed_arrangements(&app.state)
        .await
        .expect("examples import");
    let mut c = app.signed_in("business.unit@plymouth.example").await;
    c.get("/").await; // the page a person switches from
    let ports = app.partnership("portsmouth").0.to_string();
    let r = c
        .post("/switch-partnership", &[("partnership_id", &ports)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    c
}

/// The meetings linked from a page, in order.
fn meeting_links(body: &str) -> Vec<String> {
    body.split("href=\"/meetings/")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|id| !id.is_empty())
        .map(|id| format!("/meetings/{id}"))
        .collect()
}

fn first_meeting_link(body: &str) -> String {
    meeting_links(body)
        .into_iter()
        .next()
        .expect("a meeting link")
}

both_engines!(
    a_year_is_planned_and_deadlines_counted_in_working_days,
    |app| {
        let mut c = portsmouth_business_unit(&app).await;
        c.get("/meetings")
            .await
            .assert_contains("href=\"/meetings/bodies/pscp-board?year=");
        // Plan 2022-23 from Tuesday 20 September 2022: four quarterly meetings.
        let r = c
            .post(
                "/meetings/bodies/pscp-board/plan",
                &[
                    ("first", "2022-09-20"),
                    ("plan_start_time", "9:30"),
                    ("plan_venue", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let year = c.get("/meetings/bodies/pscp-board?year=2022").await;
        for d in ["Tue 20 Sep 2022", "Tue 20 Dec 2022", "Tue 21 Mar 2023"] {
            year.assert_contains(d);
        }
        assert_eq!(meeting_links(&year.body).len(), 3, "three in 2022-23");
        c.get("/meetings/bodies/pscp-board?year=2023")
            .await
            .assert_contains("Tue 20 Jun 2023");
        // Planning the same year twice is refused, and adds nothing.
        let r = c
            .post(
                "/meetings/bodies/pscp-board/plan",
                &[("first", "2022-10-04"), ("plan_start_time", "10:00")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("This year already has meetings");
        assert_eq!(app.count("meetings").await, 4);
        // The meeting of 20 September 2022: papers go out on Monday 12 September, because
        // Monday 19 was the Queen's state funeral.
        let link = first_meeting_link(&year.body);
        let m = c.get(&link).await;
        m.assert_contains("Tuesday 20 September 2022");
        m.assert_contains("<td class=\"govuk-table__cell\">Papers sent out</td><td class=\"govuk-table__cell\">Mon 12 September 2022</td>");
        m.assert_contains("<td class=\"govuk-table__cell\">Reports due</td><td class=\"govuk-table__cell\">Fri 26 August 2022</td>");
        m.assert_contains("09:30");
        // The week of 12 September 2022 shows what is due.
        let due = c.get("/meetings/due?week=2022-09-14").await;
        due.assert_contains("Due in the week of 12 September 2022");
        due.assert_contains("Papers sent out");
        due.assert_contains(
            "Portsmouth Safeguarding Children Partnership Board, 20 September 2022",
        );

        // The rules are the partnership's: papers two weeks ahead moves the date.
        let rules = c.get("/admin/meetings/rules").await;
        rules.assert_contains("value=\"5\"");
        let bad = c
            .post(
                "/admin/meetings/rules",
                &[("version", "0"), ("papers_before", "a fortnight")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        bad.assert_contains("Enter a number of working days from 0 to 60");
        assert_eq!(app.count("meeting_rules").await, 0);
        let ok = c
            .post(
                "/admin/meetings/rules",
                &[
                    ("version", "0"),
                    ("agenda_items_before", "10"),
                    ("reports_before", "15"),
                    ("amendments_before", "5"),
                    ("papers_before", "10"),
                    ("minutes_after", "10"),
                    ("disputes_after", "10"),
                    ("extraordinary_notice", "10"),
                    ("majority_needs_all_partners", "yes"),
                    ("amber_working_days", "10"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        c.get(&link)
        .await
        .assert_contains("<td class=\"govuk-table__cell\">Papers sent out</td><td class=\"govuk-table__cell\">Mon 5 September 2022</td>");

        // Moving a meeting is versioned: a second, stale change is refused and says who moved it.
        let id: i64 = link["/meetings/".len()..].parse().expect("id");
        let version = masa::meetings::store::get(&app.state.db, app.partnership("portsmouth"), id)
            .await
            .expect("q")
            .expect("meeting")
            .version
            .to_string();
        let change = |date: &'static str| {
            vec![
                ("version", version.clone()),
                ("date", date.to_owned()),
                ("start_time", "10:00".to_owned()),
                ("venue", "Civic Offices".to_owned()),
                ("status", "scheduled".to_owned()),
            ]
        };
        let as_refs = |v: &Vec<(&'static str, String)>| {
            v.iter().map(|(k, x)| (*k, x.clone())).collect::<Vec<_>>()
        };
        let first = as_refs(&change("2022-09-27"));
        let first: Vec<(&str, &str)> = first.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(c.post(&link, &first).await.status, StatusCode::SEE_OTHER);
        let second = as_refs(&change("2022-09-29"));
        let second: Vec<(&str, &str)> = second.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = c.post(&link, &second).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        r.assert_contains("This was changed by Jo Business-Unit at ");
        r.assert_contains("Tuesday 27 September 2022");
    }
);

both_engines!(
    extraordinary_meetings_need_notice_or_an_urgent_reason,
    |app| {
        let mut c = portsmouth_business_unit(&app).await;
        let today = masa::calendar::uk_local(chrono::Utc::now()).date();
        let cal = masa::calendar::working_days::Calendar::shipped();
        let soon = cal.add_working_days(today, 3).to_string();
        let later = cal.add_working_days(today, 10).to_string();
        let r = c
            .post(
                "/meetings/bodies/pscp-board",
                &[
                    ("kind", "extraordinary"),
                    ("date", &soon),
                    ("start_time", "10:00"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("An extraordinary meeting needs 10 working days&#39;");
        let r = c
            .post(
                "/meetings/bodies/pscp-board",
                &[
                    ("kind", "extraordinary"),
                    ("date", &soon),
                    ("start_time", "10:00"),
                    ("urgent", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Say why the meeting is urgent");
        assert_eq!(app.count("meetings").await, 0, "nothing stored");
        let r = c
            .post(
                "/meetings/bodies/pscp-board",
                &[
                    ("kind", "extraordinary"),
                    ("date", &soon),
                    ("start_time", "10:00"),
                    ("urgent", "yes"),
                    (
                        "urgent_reason",
                        "A rapid review decision is due to the Panel",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c
            .post(
                "/meetings/bodies/pscp-board",
                &[
                    ("kind", "extraordinary"),
                    ("date", &later),
                    ("start_time", "10:00"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "ten working days is enough: {}",
            r.body
        );
        let list = c.get("/meetings").await;
        assert_eq!(
            list.body
                .matches("<td class=\"govuk-table__cell\">Extraordinary meeting</td>")
                .count(),
            2
        );
        let link = first_meeting_link(&list.body);
        c.get(&link)
            .await
            .assert_contains("A rapid review decision is due to the Panel");
        // Bad input of every kind: a clear message each, nothing stored.
        let r = c
            .post(
                "/meetings/bodies/pscp-board",
                &[
                    ("kind", "party"),
                    ("date", "2026-02-30"),
                    ("start_time", "25:00"),
                    ("venue", &"v".repeat(201)),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for m in [
            "Select what kind of meeting",
            "must be a real date",
            "24-hour clock",
            "200 characters or fewer",
        ] {
            r.assert_contains(m);
        }
        assert_eq!(app.count("meetings").await, 2);
        // Another partnership's meeting is not found; a body that does not exist is not found.
        let mut other = app.signed_in("admin@derby.example").await;
        assert_eq!(other.get(&link).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            c.get("/meetings/bodies/no-such-body").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both_engines!(the_host_loads_a_newer_bank_holiday_list, |app| {
    let mut host = app.signed_in("host@masa.example").await;
    let page = host.get("/system/bank-holidays").await;
    page.assert_contains("Bank holidays");
    // Refused: not the government's list; a holiday at a weekend. Nothing stored.
    let r = host
        .upload(
            "/system/bank-holidays",
            "file",
            "holidays.json",
            b"{\"scotland\": {}}",
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("nothing was loaded");
    let weekend = br#"{"england-and-wales":{"division":"england-and-wales","events":[{"title":"Odd","date":"2028-01-01","notes":"","bunting":true}]}}"#;
    let r = host
        .upload(
            "/system/bank-holidays",
            "file",
            "holidays.json",
            weekend,
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("falls at a weekend");
    assert_eq!(app.count("bank_holiday_lists").await, 0);
    // A newer list with a one-off holiday: loaded, audited, and counted in from then on.
    let newer = br#"{"england-and-wales":{"division":"england-and-wales","events":[
        {"title":"New Year's Day","date":"2027-01-01","notes":"","bunting":true},
        {"title":"A proclaimed holiday","date":"2027-06-07","notes":"","bunting":true}]},
        "scotland":{"division":"scotland","events":[]}}"#;
    let r = host
        .upload(
            "/system/bank-holidays",
            "file",
            "bank-holidays.json",
            newer,
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.count("bank_holiday_lists").await, 1);
    let cal = masa::calendar::store::current(&app.state.db)
        .await
        .expect("calendar");
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    assert!(!cal.is_working_day(d("2027-06-07")));
    assert_eq!(cal.add_working_days(d("2027-06-04"), 1), d("2027-06-08"));
    host.get("/system/bank-holidays")
        .await
        .assert_contains("2027 to 2027");
});

/// The attendance form as a browser would send it, with each person's status by name.
fn attendance_form(
    rows: &[masa::meetings::store::Attendance],
    status: impl Fn(&masa::meetings::store::Attendance) -> (&'static str, &'static str),
) -> Vec<(&'static str, String)> {
    let mut f = Vec::new();
    for r in rows {
        let (s, deputy) = status(r);
        f.push(("key", r.membership_key.clone()));
        f.push(("version", r.version.to_string()));
        f.push(("status", s.to_owned()));
        f.push(("deputy", deputy.to_owned()));
        f.push(("signed", r.membership_key.clone()));
    }
    f
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

both_engines!(a_whole_meeting_cycle_by_the_bodys_rules, |app| {
    use masa::meetings::store as ms;
    let mut c = portsmouth_business_unit(&app).await;
    let p = app.partnership("portsmouth");
    let year = crate::support::plan_portsmouth_board(&app, &mut c, p).await;
    let (sept, dec) = (year[0].id, year[1].id);

    // The agenda: a bad item is refused, a good one added.
    let r = c
        .post(
            &format!("/meetings/{sept}/agenda"),
            &[("title", ""), ("purpose", "decision")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Enter the agenda item");
    r.assert_contains("id=\"title-error\"");
    let r = c
        .post(
            &format!("/meetings/{sept}/agenda"),
            &[
                ("title", "Neglect strategy"),
                ("presenter", "Strategic Lead"),
                ("purpose", "decision"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let item = ms::agenda(&app.state.db, p, sept).await.expect("agenda")[0].clone();

    // Attendance: the expected are the board's members on the day.
    // Looking at the attendance page writes nothing; it shows whom the memberships expect.
    let written = (
        app.count("attendance").await,
        app.count("audit_events").await,
    );
    c.get(&format!("/meetings/{sept}/attendance"))
        .await
        .assert_contains("Attendance");
    assert_eq!(
        (
            app.count("attendance").await,
            app.count("audit_events").await
        ),
        written,
        "a GET wrote"
    );
    let meeting = ms::get(&app.state.db, p, sept)
        .await
        .expect("q")
        .expect("meeting");
    let rows = masa::meetings::roll(&app.state, p, &meeting)
        .await
        .expect("attendance");
    assert!(rows.len() > 5, "the board's members are expected");
    for role in ["local-authority", "health", "police"] {
        assert!(
            rows.iter().any(|r| r.partner_role == role),
            "{role} expected"
        );
    }
    let observer = rows
        .iter()
        .find(|r| !r.voting)
        .expect("a participating observer")
        .clone();
    // The police send apologies: not quorate.
    let f = attendance_form(&rows, |r| {
        if r.partner_role == "police" {
            ("apologies", "")
        } else {
            ("present", "")
        }
    });
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs(&f))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.get(&format!("/meetings/{sept}/attendance"))
        .await
        .assert_contains("Not quorate: no one is here for the police");
    // An inquorate meeting cannot decide; it can recommend.
    let item_url = format!("/meetings/items/{}", item.id);
    let r = c
        .post(
            &format!("{item_url}/decisions"),
            &[
                ("decision", "Adopt the neglect strategy"),
                ("method", "consent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("The meeting is not quorate");
    let r = c
        .post(
            &format!("{item_url}/decisions"),
            &[
                ("decision", "Recommend the neglect strategy"),
                ("method", "consent"),
                ("recommendation", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A deputy comes for the police (a deputy's name is needed): now quorate.
    let rows = ms::attendance(&app.state.db, p, sept)
        .await
        .expect("attendance");
    let f = attendance_form(&rows, |r| {
        if r.partner_role == "police" {
            ("deputy", "")
        } else {
            ("apologies", "")
        }
    });
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs(&f))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("deputy");
    // Refused for the one missing name, every row shows what was typed, not what is stored.
    let others = rows.iter().filter(|r| r.partner_role != "police").count();
    assert!(others > 0);
    assert_eq!(
        r.body
            .matches("<option value=\"apologies\" selected>")
            .count(),
        others,
        "every other row shows the apologies typed"
    );
    assert!(r.body.contains("<option value=\"deputy\" selected>"));
    let f = attendance_form(&rows, |r| {
        if r.partner_role == "police" {
            ("deputy", "Supt A. Deputy")
        } else {
            ("present", "")
        }
    });
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs(&f))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.get(&format!("/meetings/{sept}/attendance"))
        .await
        .assert_contains("Quorate");
    // A stale attendance form is refused.
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs(&f))
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "an unchanged form changes nothing"
    );
    let stale = attendance_form(&rows, |_| ("absent", ""));
    let r = c
        .post(&format!("/meetings/{sept}/attendance"), &pairs(&stale))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Votes: the observer cannot vote; the police against means escalation, not a decision.
    let rows = ms::attendance(&app.state.db, p, sept)
        .await
        .expect("attendance");
    let vote = |text: &'static str, police: &'static str| {
        let mut f: Vec<(&'static str, String)> =
            vec![("decision", text.to_owned()), ("method", "vote".to_owned())];
        for r in rows.iter().filter(|r| r.voting) {
            let v = if r.partner_role == "police" {
                police
            } else {
                "for"
            };
            f.push(("voter", r.id.to_string()));
            f.push(("vote", v.to_owned()));
        }
        f
    };
    // Listed now, the observer has an id of their own.
    let observer = rows
        .iter()
        .find(|r| r.membership_key == observer.membership_key)
        .expect("the observer, listed");
    let mut with_observer = vote("Adopt the strategy", "for");
    with_observer.push(("voter", observer.id.to_string()));
    with_observer.push(("vote", "for".to_owned()));
    let r = c
        .post(&format!("{item_url}/decisions"), &pairs(&with_observer))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("cannot vote");
    let r = c
        .post(
            &format!("{item_url}/decisions"),
            &pairs(&vote("Adopt the strategy", "against")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c
        .post(
            &format!("{item_url}/decisions"),
            &pairs(&vote("Adopt the strategy as amended", "for")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let decisions = ms::decisions(&app.state.db, p, sept)
        .await
        .expect("decisions");
    let outcomes: Vec<&str> = decisions.iter().map(|d| d.outcome.as_str()).collect();
    assert_eq!(outcomes, ["recommendation", "escalated", "carried"]);
    assert!(decisions[1].dissent.contains("did not include the police"));
    let page = c.get(&item_url).await;
    page.assert_contains("Escalated to the lead representatives");

    // The minute takes the body's next number; a second, stale edit keeps its text.
    let r = c
        .post(
            &format!("{item_url}/minute"),
            &[
                ("version", &item.version.to_string()),
                ("text", "The Board discussed the strategy."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            &format!("{item_url}/minute"),
            &[
                ("version", &item.version.to_string()),
                ("text", "My version of the minute"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.assert_contains("Your text is kept below");
    r.assert_contains("My version of the minute");
    r.assert_contains("The Board discussed the strategy.");
    c.post(
        &format!("/meetings/{dec}/agenda"),
        &[
            ("title", "Minutes of the last meeting"),
            ("purpose", "decision"),
        ],
    )
    .await;
    let dec_item = ms::agenda(&app.state.db, p, dec).await.expect("agenda")[0].clone();
    c.post(
        &format!("/meetings/items/{}/minute", dec_item.id),
        &[
            ("version", &dec_item.version.to_string()),
            ("text", "Approved."),
        ],
    )
    .await;
    let mut numbers = Vec::new();
    for id in [item.id, dec_item.id] {
        numbers.push(
            ms::agenda_item(&app.state.db, p, id)
                .await
                .expect("q")
                .expect("item")
                .minute_number,
        );
    }
    assert_eq!(
        numbers,
        [Some(1), Some(2)],
        "minute numbers run on across meetings"
    );

    // An action from the minute: on the tracker, overdue, in the tracking report and its CSV.
    let r = c
        .post(
            &format!("{item_url}/actions"),
            &[
                ("title", "Publish the neglect strategy"),
                ("owner_name", "Strategic Lead"),
                ("owner_organisation", "Portsmouth City Council"),
                ("due", "2022-10-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tracker = c.get("/actions?show=overdue").await;
    tracker.assert_contains("Publish the neglect strategy");
    tracker.assert_contains("Overdue");
    let report = c.get("/actions/tracking?body=pscp-board").await;
    report.assert_contains("<td class=\"govuk-table__cell\">Minute 1</td><td class=\"govuk-table__cell\">Publish the neglect strategy</td><td class=\"govuk-table__cell\">31 October 2022</td><td class=\"govuk-table__cell\">Strategic Lead, Portsmouth City Council</td>");
    let csv = c.get("/actions/tracking.csv?body=pscp-board").await;
    csv.assert_contains("Minute,Resolution,Target date,Officer responsible,Progress,Status");
    csv.assert_contains("Minute 1,Publish the neglect strategy,31/10/2022,\"Strategic Lead, Portsmouth City Council\",,Overdue");
    let xlsx = c.get("/actions/tracking.xlsx?body=pscp-board").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let bytes = xlsx.bytes.clone();
    let mut book =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip file");
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut book.by_name("xl/sharedStrings.xml").expect("strings"),
        &mut strings,
    )
    .expect("read");
    for s in [
        "Minute 1",
        "Publish the neglect strategy",
        "Strategic Lead, Portsmouth City Council",
        "Overdue",
    ] {
        assert!(strings.contains(s), "{s} missing from the spreadsheet");
    }
    let action = masa::actions::store::list(&app.state.db, p, &Default::default())
        .await
        .expect("actions")[0]
        .clone();
    let url = format!("/actions/{}", action.id);
    let r = c
        .post(
            &url,
            &[
                ("version", "1"),
                ("status", "done"),
                ("due", "2022-10-31"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("Say what was done");
    let r = c
        .post(
            &url,
            &[
                ("version", "1"),
                ("status", "open"),
                ("due", "2022-10-31"),
                ("note", "Draft with the partners"),
                ("escalate", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let a = masa::actions::store::get(&app.state.db, p, action.id)
        .await
        .expect("q")
        .expect("a");
    assert!(a.escalated_on.is_some(), "the chair escalated it");
    c.get("/actions/tracking.csv?body=pscp-board")
        .await
        .assert_contains("Draft with the partners");

    // The minutes: circulated, approved at the next meeting with an amendment, then fixed.
    // Bad input is said against its field, on the meeting's page, what was typed kept.
    let r = c
        .post(
            &format!("/meetings/{}/minutes", year[2].id),
            &[("version", "0"), ("step", "circulate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("href=\"#circulate\"");
    r.assert_contains("Write at least one minute before circulating the minutes");
    let r = c
        .post(
            &format!("/meetings/{sept}/minutes"),
            &[("version", "0"), ("step", "circulate")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post(
            &format!("/meetings/{sept}/minutes"),
            &[
                ("version", "1"),
                ("step", "approve"),
                ("approved_at", &sept.to_string()),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not at the same meeting"
    );
    r.assert_contains("href=\"#approved_at\"");
    r.assert_contains("id=\"approved_at-error\"");
    let r = c
        .post(
            &format!("/meetings/{sept}/minutes"),
            &[
                ("version", "1"),
                ("step", "approve"),
                ("approved_at", &dec.to_string()),
                ("amendments", &"a".repeat(20_001)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("id=\"amendments-error\"");
    r.assert_contains(&"a".repeat(20_001));
    let r = c
        .post(
            &format!("/meetings/{sept}/minutes"),
            &[
                ("version", "1"),
                ("step", "approve"),
                ("approved_at", &dec.to_string()),
                ("amendments", "Item 1: 'strategy' for 'plan'"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.get(&format!("/meetings/{sept}"))
        .await
        .assert_contains("Approved at the meeting of 20 December 2022");
    let item_now = ms::agenda_item(&app.state.db, p, item.id)
        .await
        .expect("q")
        .expect("i");
    let r = c
        .post(
            &format!("{item_url}/minute"),
            &[
                ("version", &item_now.version.to_string()),
                ("text", "Rewritten later"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.assert_contains("These minutes are approved");

    // The same through the JSON API, with a personal token.
    c.get("/account/tokens").await;
    let made = c
        .post("/account/tokens", &[("name", "reports"), ("expiry", "90")])
        .await;
    let token = made
        .body
        .split("id=\"new-token\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a token")
        .to_owned();
    c.post(
        &format!("/meetings/{sept}/agenda"),
        &[
            ("title", "Child C: case discussion"),
            ("purpose", "discussion"),
            ("restricted", "yes"),
        ],
    )
    .await;
    let mut api = app.client();
    api.bearer = Some(token);
    let list = api
        .get("/api/v1/meetings?body=pscp-board&from=2022-04-01&to=2023-03-31")
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list: serde_json::Value = serde_json::from_str(&list.body).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(3));
    assert_eq!(list[0]["deadlines"][0]["what"], "Reports due");
    let one: serde_json::Value =
        serde_json::from_str(&api.get(&format!("/api/v1/meetings/{sept}")).await.body)
            .expect("json");
    assert_eq!(one["quorate"], true);
    let outcomes: Vec<&str> = one["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .filter_map(|d| d["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["recommendation", "escalated", "carried"]);
    assert_eq!(
        one["agenda"][1]["title"], "Child C: case discussion",
        "the business unit reads it"
    );
    c.get("/audit?action=read")
        .await
        .assert_contains("Restricted item read through the API");
    let overdue: serde_json::Value =
        serde_json::from_str(&api.get("/api/v1/actions?show=overdue").await.body).expect("json");
    assert_eq!(overdue[0]["title"], "Publish the neglect strategy");
    assert_eq!(overdue[0]["rag"], "red");
    let detail: serde_json::Value = serde_json::from_str(
        &api.get(&format!("/api/v1/actions/{}", action.id))
            .await
            .body,
    )
    .expect("json");
    assert_eq!(detail["progress"][0]["note"], "Draft with the partners");
    assert_eq!(
        api.get("/api/v1/actions?show=soon").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.get("/api/v1/meetings/999999").await.status,
        StatusCode::NOT_FOUND
    );
});

both_engines!(
    a_person_sees_their_own_meetings_in_a_feed_and_is_reminded,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("examples import");
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let cal = masa::calendar::working_days::Calendar::shipped();
        let today = masa::calendar::uk_local(chrono::Utc::now()).date();
        let date = cal.add_working_days(today, 25);
        bu.get("/meetings").await; // a page first, as a browser would have
        let r = bu
            .post(
                "/meetings/bodies/pscp-board",
                &[
                    ("kind", "ordinary"),
                    ("date", &date.to_string()),
                    ("start_time", "14:00"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Give Morgan Member a seat on the board: a bad seat first, refused, nothing stored.
        let morgan = masa::accounts::store::members_of(&app.state.db, p)
            .await
            .expect("people")
            .into_iter()
            .find(|(_, u)| u.email == "member@plymouth.example")
            .expect("Morgan")
            .0
            .id;
        let url = format!("/admin/people/{morgan}/seats");
        let form = bu.get(&url).await;
        form.assert_contains("Seats of Morgan Member");
        let r = bu.post(&url, &[("seat", "no-such-membership")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("person_seats").await, 0);
        let seat = form
            .body
            .split("name=\"seat\" type=\"checkbox\" value=\"")
            .map(|s| s.split('"').next().unwrap_or_default().to_owned())
            .find(|k| k.starts_with("pscp-board/"))
            .expect("a board seat");
        let r = bu.post(&url, &[("seat", &seat)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // Morgan sees the meeting as theirs, and subscribes to it.
        let mut morgan_c = app.signed_in("member@plymouth.example").await;
        let mine = morgan_c.get("/meetings/mine").await;
        mine.assert_contains(&date.format("%a %-d %b %Y").to_string());
        let made = morgan_c.post("/meetings/mine/feed", &[]).await;
        assert_eq!(made.status, StatusCode::OK);
        let feed_url = made
            .body
            .split("id=\"feed-url\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("the feed address")
            .to_owned();
        let path = &feed_url[feed_url.find("/calendar/").expect("path")..];
        let ics = app.client().get(path).await;
        assert_eq!(ics.status, StatusCode::OK);
        ics.assert_contains("BEGIN:VCALENDAR");
        ics.assert_contains("Plymouth Safeguarding Children Partnership (PSCP Board): Meeting");
        ics.assert_contains("TZID=Europe/London");
        ics.assert_contains("Papers sent out");
        assert_eq!(
            app.client().get("/calendar/not-a-feed.ics").await.status,
            StatusCode::NOT_FOUND
        );
        morgan_c.post("/meetings/mine/feed/stop", &[]).await;
        assert_eq!(
            app.client().get(path).await.status,
            StatusCode::NOT_FOUND,
            "a stopped feed is gone"
        );

        // Reminders: the agenda deadline falls in the next five working days, once.
        let day = cal.add_working_days(date, -12);
        let sent = masa::meetings::people::send_reminders(&app.state, day)
            .await
            .expect("reminders");
        assert_eq!(sent, 1);
        let again = masa::meetings::people::send_reminders(&app.state, day)
            .await
            .expect("reminders");
        assert_eq!(again, 0, "each deadline is reminded once");
        let msg = app
        .state
        .db
        .fetch_one(
            "SELECT to_address, body_text FROM outbox WHERE subject LIKE 'Deadlines this week%' ORDER BY id DESC",
            masa::args![],
        )
        .await
        .expect("a reminder in the outbox");
        assert_eq!(
            msg.get::<String>("to_address").expect("to"),
            "member@plymouth.example"
        );
        let body: String = msg.get("body_text").expect("body");
        assert!(body.contains("Agenda items due"), "{body}");
        assert!(
            !body.contains("Papers sent out"),
            "papers are not due within the week: {body}"
        );

        // A chair is told once of their body's overdue actions.
        let chair_seat: String = app
            .state
            .db
            .fetch_one(
                "SELECT item_key FROM arrangement_items WHERE partnership_id = $1 AND kind = 'membership' AND parent_key = 'workforce-development-group' AND name = 'chair'",
                masa::args![p],
            )
            .await
            .expect("the group's chair")
            .get("item_key")
            .expect("key");
        bu.get(&url).await;
        let r = bu
            .post(&url, &[("seat", &seat), ("seat", &chair_seat)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let actor = masa::store::Actor::system("test");
        for (title, due) in [
            (
                "Refresh the training offer",
                today - chrono::Duration::days(3),
            ),
            ("Not yet due", today + chrono::Duration::days(30)),
        ] {
            masa::actions::store::add(
                &app.state.db,
                &actor,
                p,
                &masa::actions::store::NewAction {
                    source_kind: "review".into(),
                    source_id: 1,
                    body_key: "workforce-development-group".into(),
                    reference: String::new(),
                    title: title.into(),
                    owner_name: "Training lead".into(),
                    owner_organisation: String::new(),
                    owner_user_id: None,
                    due,
                    sensitive: false,
                    restricted_item: None,
                },
            )
            .await
            .expect("action");
        }
        let alerts = masa::meetings::people::alert_chairs(&app.state, today).await;
        assert_eq!(alerts.expect("alerts"), 1);
        let again = masa::meetings::people::alert_chairs(&app.state, today).await;
        assert_eq!(again.expect("alerts"), 0, "each action once");
        let alert: String = app
            .state
            .db
            .fetch_one(
                "SELECT body_text FROM outbox WHERE subject LIKE 'Overdue actions:%' AND to_address = 'member@plymouth.example'",
                masa::args![],
            )
            .await
            .expect("an alert")
            .get("body_text")
            .expect("text");
        assert!(
            alert.contains("Refresh the training offer") && !alert.contains("Not yet due"),
            "{alert}"
        );
    }
);

both_engines!(
    the_work_programme_feeds_agendas_and_urgent_decisions_are_recorded,
    |app| {
        let mut c = portsmouth_business_unit(&app).await;
        let p = app.partnership("portsmouth");
        let cal = masa::calendar::working_days::Calendar::shipped();
        let today = masa::calendar::uk_local(chrono::Utc::now()).date();
        let date = cal.add_working_days(today, 20);
        c.post(
            "/meetings/bodies/pscp-board",
            &[
                ("kind", "ordinary"),
                ("date", &date.to_string()),
                ("start_time", "10:00"),
            ],
        )
        .await;
        let meeting =
            masa::meetings::store::between(&app.state.db, p, today, date, Some("pscp-board"))
                .await
                .expect("q")[0]
                .id;
        let url = "/meetings/bodies/pscp-board/programme";
        c.get(url).await.assert_contains("Work programme");
        // Refused: no title, a meeting of another body.
        let r = c
            .post(
                url,
                &[
                    ("title", ""),
                    ("purpose", "decision"),
                    ("meeting", "999999"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Enter the item");
        r.assert_contains("Select one of the body");
        assert_eq!(app.count("work_programme").await, 0);
        let r = c
            .post(
                url,
                &[
                    ("title", "Annual report 2026-27"),
                    ("purpose", "decision"),
                    ("presenter", "Business manager"),
                    ("meeting", &meeting.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let planned: i64 = app
            .state
            .db
            .fetch_one("SELECT id FROM work_programme", masa::args![])
            .await
            .expect("q")
            .get("id")
            .expect("id");
        let r = c
            .post(&format!("/meetings/programme/{planned}/agenda"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let agenda = masa::meetings::store::agenda(&app.state.db, p, meeting)
            .await
            .expect("agenda");
        assert_eq!(agenda.len(), 1);
        assert_eq!(agenda[0].title, "Annual report 2026-27");
        let again = c
            .post(&format!("/meetings/programme/{planned}/agenda"), &[])
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "not twice");
        // Said against the item's row, on the programme.
        again.assert_contains(&format!("href=\"#planned-{planned}\""));
        again.assert_contains(&format!("id=\"planned-{planned}\""));
        again.assert_contains("This item is already on its meeting");
        c.get(url).await.assert_contains("On the agenda");

        // An urgent decision must say all three partners were consulted (Portsmouth's rule).
        let urgent = "/meetings/bodies/pscp-board/urgent";
        let r = c
            .post(
                urgent,
                &[
                    ("decided_on", &today.to_string()),
                    ("decision", "Commission a rapid review"),
                    ("reason", "The Panel's deadline"),
                    ("chair", "Independent Chair"),
                    ("partner", "local-authority"),
                    ("partner", "police"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("in consultation with all three statutory partners");
        assert_eq!(app.count("urgent_decisions").await, 0);
        let r = c
            .post(
                urgent,
                &[
                    ("decided_on", &today.to_string()),
                    ("decision", "Commission a rapid review"),
                    ("reason", "The Panel's deadline"),
                    ("chair", "Independent Chair"),
                    ("partner", "local-authority"),
                    ("partner", "health"),
                    ("partner", "police"),
                    ("consulted", "The business manager"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = c.get(url).await;
        page.assert_contains("Commission a rapid review");
        page.assert_contains(
            "the statutory partners (local-authority, health, police); The business manager",
        );
    }
);

both_engines!(minutes_saved_at_once_take_the_next_numbers, |app| {
    use masa::meetings::store as ms;
    let mut c = portsmouth_business_unit(&app).await;
    let p = app.partnership("portsmouth");
    let m = crate::support::plan_portsmouth_board(&app, &mut c, p).await[0].id;
    let actor = masa::store::Actor::system("test");
    let mut items = Vec::new();
    for n in 0..8 {
        let new = ms::NewItem {
            title: format!("Item {n}"),
            presenter: String::new(),
            organisation: String::new(),
            purpose: "information".into(),
            restricted: false,
        };
        let id = ms::add_item(&app.state.db, &actor, p, m, &new)
            .await
            .expect("item");
        items.push(
            ms::agenda_item(&app.state.db, p, id)
                .await
                .expect("q")
                .expect("item"),
        );
    }
    // Eight minutes of one body at the same instant: each takes a number of its own.
    let mut saves = tokio::task::JoinSet::new();
    for i in items {
        let (db, actor) = (app.state.db.clone(), actor.clone());
        saves.spawn(async move {
            ms::save_minute(&db, &actor, p, &i, "pscp-board", i.version, "Noted.").await
        });
    }
    let mut numbers = Vec::new();
    while let Some(r) = saves.join_next().await {
        numbers.push(r.expect("task").expect("saved").expect("not stale"));
    }
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 8, "two minutes took one number: {numbers:?}");
});

both_engines!(
    dates_are_typed_in_three_boxes_and_kept_when_refused,
    |app| {
        let mut c = portsmouth_business_unit(&app).await;
        let page = c.get("/meetings/bodies/pscp-board").await;
        for box_ in [
            "name=\"date-day\"",
            "name=\"date-month\"",
            "name=\"date-year\"",
        ] {
            page.assert_contains(box_);
        }
        assert!(
            !page.body.contains("type=\"date\""),
            "no browser date picker"
        );
        page.assert_contains("For example, 27 3 2026");
        let meeting = |day: &'static str, month: &'static str, year: &'static str| {
            vec![
                ("kind", "ordinary"),
                ("date-day", day),
                ("date-month", month),
                ("date-year", year),
                ("start_time", "10:00"),
                ("venue", "The Guildhall"),
            ]
        };
        // Not a real day: the message names the field, the boxes and the venue keep what was typed.
        let r = c
            .post("/meetings/bodies/pscp-board", &meeting("30", "2", "2030"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Date must be a real date, like 27 3 2026");
        for kept in [
            "name=\"date-day\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"30\"",
            "name=\"date-month\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"2\"",
            "name=\"date-year\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"2030\"",
            "value=\"The Guildhall\"",
        ] {
            r.assert_contains(kept);
        }
        // A box left empty is named; so is a two-digit year.
        let r = c
            .post("/meetings/bodies/pscp-board", &meeting("14", "", "2030"))
            .await;
        r.assert_contains("Date must include a month");
        let r = c
            .post("/meetings/bodies/pscp-board", &meeting("14", "3", "30"))
            .await;
        r.assert_contains("Date must have a year of four digits");
        assert_eq!(app.count("meetings").await, 0, "nothing stored");
        // Typed as people type it, without leading zeros.
        let r = c
            .post("/meetings/bodies/pscp-board", &meeting("4", "3", "2030"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = c.get("/meetings/bodies/pscp-board").await;
        list.assert_contains("4 March 2030");
        // A filter's dates are typed the same way: the audit trail from one day to another.
        let r = c
            .get("/audit?from-day=31&from-month=2&from-year=2026&to-day=&to-month=&to-year=")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("The start date must be a real date");
        let r = c
            .get("/audit?from-day=1&from-month=1&from-year=2026&to-day=&to-month=&to-year=")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("value=\"2026\"");
    }
);

both_engines!(
    an_action_from_the_minutes_is_given_to_someone_in_masa,
    |app| {
        masa::demo::seed_arrangements(&app.state)
            .await
            .expect("arrangements");
        let p = app.partnership("plymouth");
        let mut bu = app.signed_in("business.unit@plymouth.example").await;
        let meeting = crate::support::board_meeting(&app, &mut bu, 20, "").await;
        let r = bu
            .post(
                &format!("{meeting}/agenda"),
                &[("title", "Neglect strategy"), ("purpose", "decision")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id: i64 = meeting
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .expect("id");
        let item = masa::meetings::store::agenda(&app.state.db, p, id)
            .await
            .expect("agenda")[0]
            .id;
        let page = bu.get(&format!("/meetings/items/{item}")).await;
        page.assert_contains("name=\"owner_user_id\"");
        let morgan = crate::support::user_id(&app, "member@plymouth.example").await;
        let derby = crate::support::user_id(&app, "admin@derby.example").await;
        page.assert_contains(&format!("<option value=\"{morgan}\">"));
        assert!(!page.body.contains(&format!("<option value=\"{derby}\">")));
        let add = format!("/meetings/items/{item}/actions");
        let due = (crate::support::today() + chrono::Duration::days(60)).to_string();
        let actions = app.count("actions").await;
        // Refused for one field, everything else comes back as typed.
        let r = bu
            .post(
                &add,
                &[
                    ("title", ""),
                    ("owner_user_id", ""),
                    ("owner_name", "Strategic lead"),
                    ("owner_organisation", "Plymouth City Council"),
                    ("due", due.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("value=\"Strategic lead\"");
        r.assert_contains("value=\"Plymouth City Council\"");
        // Someone from another partnership cannot be given it.
        let derby_s = derby.to_string();
        let r = bu
            .post(
                &add,
                &[
                    ("title", "Publish the strategy"),
                    ("owner_user_id", derby_s.as_str()),
                    ("due", due.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("Select someone in the partnership");
        r.assert_contains("Publish the strategy");
        assert_eq!(app.count("actions").await, actions, "nothing stored");
        // Given to Morgan by their account: named by it, on their home page, theirs to update.
        let morgan_s = morgan.to_string();
        let r = bu
            .post(
                &add,
                &[
                    ("title", "Publish the strategy"),
                    ("owner_user_id", morgan_s.as_str()),
                    ("due", due.as_str()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let a =
            masa::actions::store::list(&app.state.db, p, &masa::actions::store::Filter::default())
                .await
                .expect("actions")
                .into_iter()
                .find(|a| a.title == "Publish the strategy")
                .expect("the action");
        assert_eq!(a.owner_user_id, Some(morgan));
        assert!(!a.owner_name.is_empty(), "named by the account");
        // The success banner links to what was made.
        bu.get(r.location())
            .await
            .assert_contains(&format!("href=\"/actions/{}\">View the action</a>", a.id));
        let mut m = app.signed_in("member@plymouth.example").await;
        m.get("/")
            .await
            .assert_contains("Your action: Publish the strategy");
        assert_eq!(
            m.get(&format!("/actions/{}", a.id)).await.status,
            StatusCode::OK
        );
    }
);
