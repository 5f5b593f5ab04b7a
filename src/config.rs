//! Settings: environment variables over an optional TOML file over defaults that need nothing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything masa reads at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The address people use, for links in email (`https://` turns on Secure cookies and HSTS).
    pub base_url: String,
    /// `smtp://host:port`, `smtps://...` or `smtp://user:pass@host:587?tls=required`; none keeps
    /// mail in the outbox only.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Take the client address from `X-Forwarded-For` (behind a load balancer).
    pub trust_proxy: bool,
    /// Log as JSON lines (for a log collector) rather than text.
    pub log_json: bool,
    /// Where uploaded files are kept: a folder (default `DATA_DIR/files`) or `s3://bucket/prefix`
    /// for S3-compatible object storage (credentials from the usual `AWS_*` variables).
    pub files_url: Option<String>,
    /// The largest file a person may upload, in megabytes.
    pub upload_limit_mb: usize,
    /// The key that seals secrets kept at rest (32 bytes, base64): every instance of a host
    /// needs the same one. Without it, `DATA_DIR/secret.key`.
    pub secret_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    data_dir: Option<String>,
    base_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    trust_proxy: Option<bool>,
    log_json: Option<bool>,
    files_url: Option<String>,
    upload_limit_mb: Option<usize>,
    secret_key: Option<String>,
}

impl Config {
    /// Read the settings: `lookup` gives environment variables (a function so tests need not touch
    /// the process environment), `file` an optional TOML file.
    pub fn load(
        lookup: impl Fn(&str) -> Option<String>,
        file: Option<&Path>,
    ) -> Result<Config, String> {
        let f: FileConfig = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let pick = |env: &str, file: Option<String>| lookup(env).filter(|v| !v.is_empty()).or(file);

        let data_dir =
            PathBuf::from(pick("MASA_DATA_DIR", f.data_dir).unwrap_or_else(|| "masa-data".into()));
        let database_url = pick("MASA_DATABASE_URL", f.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("masa.sqlite").display()));
        let listen_text = pick("MASA_LISTEN", f.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|_| format!("MASA_LISTEN must be an address and port such as 127.0.0.1:8080, not {listen_text:?}"))?;
        let base_url = pick("MASA_BASE_URL", f.base_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        url::Url::parse(&base_url).map_err(|e| format!("MASA_BASE_URL {base_url:?}: {e}"))?;
        let smtp_url = pick("MASA_SMTP_URL", f.smtp_url);
        let mail_from =
            pick("MASA_MAIL_FROM", f.mail_from).unwrap_or_else(|| "masa <masa@localhost>".into());
        let flag = |env: &str, file: Option<bool>| -> Result<bool, String> {
            match lookup(env).as_deref() {
                None | Some("") => Ok(file.unwrap_or(false)),
                Some("1" | "true" | "yes") => Ok(true),
                Some("0" | "false" | "no") => Ok(false),
                Some(v) => Err(format!("{env} must be true or false, not {v:?}")),
            }
        };
        let upload_limit_mb = match lookup("MASA_UPLOAD_LIMIT_MB").filter(|v| !v.is_empty()) {
            Some(v) => v.parse().ok().filter(|n| (1..=500).contains(n)).ok_or_else(|| {
                format!("MASA_UPLOAD_LIMIT_MB must be a number of megabytes from 1 to 500, not {v:?}")
            })?,
            None => f.upload_limit_mb.unwrap_or(20),
        };
        Ok(Config {
            secret_key: pick("MASA_SECRET_KEY", f.secret_key),
            files_url: pick("MASA_FILES_URL", f.files_url),
            upload_limit_mb,
            database_url,
            listen,
            data_dir,
            base_url,
            smtp_url,
            mail_from,
            trust_proxy: flag("MASA_TRUST_PROXY", f.trust_proxy)?,
            log_json: flag("MASA_LOG_JSON", f.log_json)?,
        })
    }

    /// Cookies are marked Secure when people reach masa over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_need_nothing() {
        let c = Config::load(env(&[]), None).expect("defaults");
        assert_eq!(c.database_url, "sqlite://masa-data/masa.sqlite");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert!(c.smtp_url.is_none());
        assert!(!c.secure_cookies());
        assert_eq!((c.files_url, c.upload_limit_mb), (None, 20));
    }

    #[test]
    fn environment_beats_file() {
        let dir = std::env::temp_dir().join(format!("masa-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("masa.toml");
        std::fs::write(
            &p,
            "listen = \"127.0.0.1:9000\"\nbase_url = \"https://masa.example.org/\"\n",
        )
        .expect("write");
        let c = Config::load(env(&[("MASA_LISTEN", "0.0.0.0:8081")]), Some(&p)).expect("load");
        assert_eq!(c.listen.to_string(), "0.0.0.0:8081");
        assert_eq!(c.base_url, "https://masa.example.org");
        assert!(c.secure_cookies());
    }

    #[test]
    fn bad_values_are_explained() {
        let e = Config::load(env(&[("MASA_LISTEN", "eighty")]), None).expect_err("bad listen");
        assert!(e.contains("MASA_LISTEN"), "{e}");
        let e = Config::load(env(&[("MASA_TRUST_PROXY", "maybe")]), None).expect_err("bad flag");
        assert!(e.contains("MASA_TRUST_PROXY"), "{e}");
        let e = Config::load(env(&[("MASA_UPLOAD_LIMIT_MB", "0")]), None).expect_err("no limit");
        assert!(e.contains("MASA_UPLOAD_LIMIT_MB"), "{e}");
    }
}
