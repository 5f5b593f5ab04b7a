//! The rules of accounts: roles, email addresses, passwords, two-factor codes and the secrets
//! handed out in links. Pure functions, tested without a database.

use rand::RngCore;
use serde::Serialize;

pub use crate::web::identity::Role;

/// Whether an account must use two-factor: it is the host's, or it holds a role somewhere that
/// can see restricted records.
pub fn must_use_two_factor(is_system_admin: bool, mut roles: impl Iterator<Item = Role>) -> bool {
    is_system_admin || roles.any(Role::needs_two_factor)
}

/// A normalised email address: trimmed, lower-case, one `@` with something either side, and a
/// dot in the domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, &'static str> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter an email address");
        }
        if s.len() > 254 {
            return Err("Email address must be 254 characters or fewer");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("Enter an email address in the correct format, like name@example.org");
        };
        let ok = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
        if !ok {
            return Err("Enter an email address in the correct format, like name@example.org");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown to others.
pub fn parse_name(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Enter a full name");
    }
    if s.chars().count() > 100 {
        return Err("Name must be 100 characters or fewer");
    }
    if s.chars()
        .any(|c| c.is_control() || crate::web::forms::invisible(c))
    {
        return Err("Name must not contain control or invisible characters");
    }
    Ok(s.to_owned())
}

/// Passwords people choose: long enough to resist guessing (NCSC: length over complexity), not
/// one of the most common, not the email address.
pub fn check_new_password(password: &str, email: &str) -> Result<(), &'static str> {
    const COMMON: &[&str] = &[
        "password",
        "password1",
        "password123",
        "123456789012",
        "qwertyuiop",
        "letmein",
        "welcome123",
        "iloveyou",
        "passwordpassword",
        "safeguarding",
        "safeguarding1",
        "qwerty123456",
        "changeme",
        "administrator",
    ];
    let n = password.chars().count();
    if n < 12 {
        return Err("Password must be 12 characters or more");
    }
    if n > 256 {
        return Err("Password must be 256 characters or fewer");
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("Choose a password that is harder to guess");
    }
    if lower == email.to_lowercase() {
        return Err("Password must not be your email address");
    }
    Ok(())
}

/// A hash of a password with argon2id (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Check a password against a stored hash. Without a stored hash it checks against a dummy so
/// that an unknown email takes as long as a known one.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0n1jVNmGoEXMXp5Q9X/3G2vL6m6cbWUIQeTzPX1p6mA";
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (DUMMY, false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = argon2::Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && real
}

pub use crate::store::secret::{new_secret, secret_hash};

/// Ten single-use recovery codes, shown once: `abcd-efgh-ijkl` from an unambiguous alphabet.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
                .collect();
            format!(
                "{}-{}-{}",
                chars[0..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..12].iter().collect::<String>()
            )
        })
        .collect()
}

/// Recovery codes are compared without spaces, dashes or case.
pub fn normalise_recovery_code(input: &str) -> String {
    let s: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if s.len() == 12 {
        format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
    } else {
        s
    }
}

/// Time-based one-time passwords (RFC 6238: SHA-1, six digits, 30 seconds, one step of skew).
pub mod totp {
    use totp_rs::{Builder, Secret, Totp};

    pub fn new_secret() -> String {
        Secret::generate().to_base32()
    }

    fn totp(secret_b32: &str, account: &str) -> Option<Totp> {
        let secret = Secret::try_from_base32(secret_b32).ok()?;
        Builder::new()
            .with_secret(secret)
            .with_account_name(account.replace(':', ""))
            .with_issuer(Some("masa"))
            .build()
            .ok()
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn url(secret_b32: &str, account: &str) -> Option<String> {
        totp(secret_b32, account)?.to_url().ok()
    }

    /// The time step a code is valid for, if it is valid at `unix_time` and newer than
    /// `last_step` (a code is accepted once only).
    pub fn check(secret_b32: &str, code: &str, unix_time: u64, last_step: u64) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let step = totp(secret_b32, "x")?.check(&code, unix_time)?;
        (step > last_step).then_some(step)
    }

    /// The code for a time (for tests and the demo).
    pub fn code_at(secret_b32: &str, unix_time: u64) -> Option<String> {
        Some(totp(secret_b32, "x")?.generate(unix_time).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Jo.Bloggs@Plymouth.GOV.uk ").map(|e| e.0),
            Ok("jo.bloggs@plymouth.gov.uk".to_owned())
        );
        for bad in [
            "",
            "jo",
            "jo@",
            "@x.org",
            "jo@localhost",
            "jo@x@y.org",
            "jo bloggs@x.org",
            "jo@.org",
            "<jo@x.org>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("short", "a@b.org").is_err());
        assert!(check_new_password("Safeguarding1", "a@b.org").is_err());
        assert!(check_new_password("a@bbbbbbbb.org", "A@bbbbbbbb.org").is_err());
        assert!(check_new_password("correct horse battery", "a@b.org").is_ok());
    }

    #[test]
    fn password_hash_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }

    #[test]
    fn recovery_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 14));
        assert_eq!(
            normalise_recovery_code(&codes[0].to_uppercase().replace('-', " ")),
            codes[0]
        );
    }

    #[test]
    fn totp_codes_are_checked_once() {
        let s = totp::new_secret();
        let t = 1_800_000_000;
        let code = totp::code_at(&s, t).expect("code");
        let step = totp::check(&s, &code, t, 0).expect("valid");
        assert_eq!(step, t / 30);
        assert_eq!(
            totp::check(&s, &code, t, step),
            None,
            "replayed code accepted"
        );
        assert_eq!(
            totp::check(&s, &code, t + 120, 0),
            None,
            "stale code accepted"
        );
        assert_eq!(totp::check(&s, "12345", t, 0), None);
        assert!(
            totp::url(&s, "jo@x.org")
                .expect("url")
                .starts_with("otpauth://totp/")
        );
    }

    #[test]
    fn roles_round_trip() {
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(Role::PartnershipAdmin.needs_two_factor());
        assert!(!Role::Practitioner.needs_two_factor());
    }
}
