//! The `masa` command itself: help, migrate, adding partnerships and people, and stopping
//! cleanly on SIGTERM.

use std::process::{Command, Stdio};
use std::time::Duration;

fn masa(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_masa"));
    c.env("MASA_DATA_DIR", dir)
        .env_remove("MASA_DATABASE_URL")
        .env("MASA_LOG", "warn");
    c
}

#[test]
fn help_explains_each_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_masa"))
        .arg("--help")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "serve",
        "demo",
        "migrate",
        "user",
        "partnership",
        "MASA_DATABASE_URL",
        "MASA_SMTP_URL",
    ] {
        assert!(
            text.contains(word),
            "--help does not mention {word}:\n{text}"
        );
    }
}

#[test]
fn migrate_then_add_a_partnership_and_invite_its_administrator() {
    let dir = tempfile::tempdir().expect("dir");
    // serve refuses a database that does not exist yet.
    let out = masa(dir.path()).arg("serve").output().expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("masa migrate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        masa(dir.path())
            .arg("migrate")
            .status()
            .expect("run")
            .success()
    );
    let ok = masa(dir.path())
        .args([
            "partnership",
            "add",
            "--slug",
            "torbay",
            "--name",
            "Torbay Safeguarding Children Partnership",
        ])
        .output()
        .expect("run");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = masa(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "bu@torbay.example",
            "--name",
            "Tor Bay",
            "--role",
            "partnership-admin",
            "--partnership",
            "torbay",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("/invitations/"));
    // Bad input is explained and changes nothing.
    let out = masa(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "nope",
            "--name",
            "X",
            "--role",
            "practitioner",
            "--partnership",
            "torbay",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Enter an email address in the correct format")
    );
    let out = masa(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "a@b.org",
            "--name",
            "X",
            "--role",
            "emperor",
            "--partnership",
            "torbay",
        ])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--role must be"));
    let out = masa(dir.path())
        .args(["partnership", "add", "--slug", "torbay", "--name", "Again"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().expect("dir");
    assert!(
        masa(dir.path())
            .arg("migrate")
            .status()
            .expect("run")
            .success()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let child = masa(dir.path())
        .arg("serve")
        .env("MASA_LISTEN", format!("127.0.0.1:{port}"))
        .env("MASA_LOG", "info")
        .env("MASA_LOG_JSON", "true")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server did not start");
    // One request, to see it in the log.
    {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "exit {:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("requests in flight finished"), "{log}");
    // Structured logs: one JSON object a line, the request's line carrying its request id.
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["span"]["path"] == "/readyz")
        .expect("a log line for the request");
    assert_eq!(request["status"], 200, "{request}");
    assert!(
        request["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{request}"
    );
}

/// `masa thresholds check`, `import` and `export`: a bad file refused with its lines and
/// nothing stored; a good one a draft edition; export → import → export identical.
#[test]
fn thresholds_check_import_and_export_round_trip() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| masa(dir.path()).args(args).output().expect("run");
    assert!(run(&["migrate"]).status.success());
    assert!(
        run(&[
            "partnership",
            "add",
            "--slug",
            "testshire",
            "--name",
            "Testshire Safeguarding Children Partnership"
        ])
        .status
        .success()
    );
    let good = dir.path().join("good.toml");
    std::fs::write(&good, crate::thresholds::DOC).expect("write");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        crate::thresholds::DOC.replace("domain = \"family\"", "domain = \"nowhere\""),
    )
    .expect("write");

    let out = run(&["thresholds", "check", bad.to_str().expect("path")]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        said.matches("no domain has the key \"nowhere\"").count(),
        2,
        "{said}"
    );
    assert!(said.contains("bad.toml:"), "{said}");
    let out = run(&[
        "thresholds",
        "import",
        "testshire",
        bad.to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was imported"));
    let out = run(&["thresholds", "export", "testshire"]);
    assert!(!out.status.success(), "nothing to export yet");

    let out = run(&["thresholds", "check", good.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&[
        "thresholds",
        "import",
        "testshire",
        good.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("draft edition 1"));
    let once = run(&["thresholds", "export", "testshire"]).stdout;
    let exported = dir.path().join("exported.toml");
    std::fs::write(&exported, &once).expect("write");
    assert!(
        run(&[
            "thresholds",
            "import",
            "testshire",
            exported.to_str().expect("path")
        ])
        .status
        .success()
    );
    let twice = run(&["thresholds", "export", "testshire", "--edition", "2"]).stdout;
    assert!(!once.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&once),
        String::from_utf8_lossy(&twice)
    );
    assert!(!run(&["thresholds", "export", "nowhere"]).status.success());
}

#[test]
fn a_first_schema_file_is_explained_checked_and_upgraded_in_place() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("torbay.toml");
    let original = include_str!("../fixtures/torbay.toml");
    std::fs::write(&file, original).expect("write");
    // check explains the upgrade, checks the upgraded text, and changes nothing.
    let out = masa(dir.path())
        .args(["arrangements", "check"])
        .arg(&file)
        .output()
        .expect("run");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("this file is masa-arrangements/1"), "{said}");
    assert!(
        said.contains("successor = \"...\" becomes successors"),
        "{said}"
    );
    assert!(said.contains("fine ("), "{said}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), original);
    // upgrade writes it, keeping the original beside it.
    let out = masa(dir.path())
        .args(["arrangements", "upgrade"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let upgraded = std::fs::read_to_string(&file).expect("read");
    assert!(upgraded.contains("schema = \"masa-arrangements/2\""));
    assert!(
        upgraded.starts_with("# A small partnership for the tests"),
        "comments kept"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("torbay.toml.bak")).expect("backup"),
        original
    );
    // A second time there is nothing to do.
    let out = masa(dir.path())
        .args(["arrangements", "upgrade"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to do"));
    // A /1 file with a problem is not upgraded, and says where.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        original.replace("successor = \"devon-icb\"", "successor = \"nowhere\""),
    )
    .expect("write");
    let out = masa(dir.path())
        .args(["arrangements", "upgrade"])
        .arg(&bad)
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
    assert!(
        std::fs::read_to_string(&bad)
            .expect("read")
            .contains("masa-arrangements/1")
    );
}
