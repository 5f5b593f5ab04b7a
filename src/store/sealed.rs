//! Secrets kept at rest (authenticator keys, one-time links waiting to be delivered) are sealed
//! with a key held outside the database, so a copy of the database or a backup of it yields no
//! second factor and no usable link. ChaCha20-Poly1305 from `ring` (already linked for TLS and
//! object storage), a fresh random nonce for each value, and the value's purpose bound in as
//! associated data so a sealed link cannot be passed off as an authenticator key.
//!
//! The key is `MASA_SECRET_KEY` (32 bytes, base64), which every instance of a host sharing one
//! PostgreSQL must be given; without it, `DATA_DIR/secret.key`, made on first start and
//! readable by its owner only, which suits one server. Lose the key and authenticator codes stop
//! working (recovery codes, kept hashed, still sign people in to set up a new one).

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// What a sealed value starts with; anything else was stored before sealing began.
const PREFIX: &str = "sealed1:";

/// What a secret is for, bound into its seal.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    Authenticator,
    OutboxLink,
}

impl Purpose {
    fn aad(self) -> &'static [u8] {
        match self {
            Purpose::Authenticator => b"masa authenticator key",
            Purpose::OutboxLink => b"masa outbox link",
        }
    }
}

/// Seals and opens secrets with the installation's key.
#[derive(Clone)]
pub struct Sealer {
    key: Arc<LessSafeKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub fn from_key(key: &[u8; 32]) -> Sealer {
        // A 32-byte key is always accepted by ChaCha20-Poly1305.
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, key)
            .unwrap_or_else(|_| unreachable!("a 32-byte ChaCha20-Poly1305 key"));
        Sealer {
            key: Arc::new(LessSafeKey::new(unbound)),
        }
    }

    /// The key the settings name (`MASA_SECRET_KEY`), else the data folder's `secret.key`,
    /// made now if there is none.
    pub fn load(setting: Option<&str>, data_dir: &Path) -> Result<Sealer, String> {
        if let Some(text) = setting {
            return Ok(Sealer::from_key(&parse_key(text).ok_or(
                "MASA_SECRET_KEY must be 32 bytes in base64 (make one with: openssl rand -base64 32)",
            )?));
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Sealer::from_key(&parse_key(&text).ok_or_else(|| {
                format!("{} does not hold a 32-byte key in base64", path.display())
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                SystemRandom::new()
                    .fill(&mut key)
                    .map_err(|_| "no randomness for a new key".to_owned())?;
                std::fs::create_dir_all(data_dir)
                    .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
                write_private(&path, &format!("{}\n", STANDARD.encode(key)))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(Sealer::from_key(&key))
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn seal(&self, purpose: Purpose, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        // The system's random source does not fail on the platforms masa runs on; were it to,
        // a nonce of zeros once is still not a key.
        let _ = SystemRandom::new().fill(&mut nonce);
        let mut sealed = plain.as_bytes().to_vec();
        // Sealing in memory with a valid key and nonce cannot fail.
        let _ = self.key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(purpose.aad()),
            &mut sealed,
        );
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// The secret, or `None` when it was sealed with another key or for another purpose, or
    /// has been tampered with. A value stored before sealing began is returned as it is.
    pub fn open(&self, purpose: Purpose, stored: &str) -> Option<String> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Some(stored.to_owned());
        };
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let mut buf = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).ok()?,
                Aad::from(purpose.aad()),
                &mut buf,
            )
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// Whether a stored value is sealed already.
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text.trim()).ok()?.try_into().ok()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_purpose() {
        let a = Sealer::from_key(&[7; 32]);
        let b = Sealer::from_key(&[8; 32]);
        let s = a.seal(Purpose::Authenticator, "JBSWY3DPEHPK3PXP");
        assert!(Sealer::is_sealed(&s) && !s.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            a.open(Purpose::Authenticator, &s).as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(b.open(Purpose::Authenticator, &s), None, "another key");
        assert_eq!(a.open(Purpose::OutboxLink, &s), None, "another purpose");
        // A fresh nonce each time.
        assert_ne!(s, a.seal(Purpose::Authenticator, "JBSWY3DPEHPK3PXP"));
        // Tampered with.
        let mut t = s.clone();
        t.pop();
        t.push(if s.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(a.open(Purpose::Authenticator, &t), None);
        // Stored before sealing began.
        assert_eq!(
            a.open(Purpose::Authenticator, "PLAIN").as_deref(),
            Some("PLAIN")
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_kept_private() {
        let dir = std::env::temp_dir().join(format!("masa-key-{}", uuid::Uuid::new_v4()));
        let first = Sealer::load(None, &dir).expect("made");
        let sealed = first.seal(Purpose::OutboxLink, "x");
        let again = Sealer::load(None, &dir).expect("read");
        assert_eq!(
            again.open(Purpose::OutboxLink, &sealed).as_deref(),
            Some("x")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key"))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
        assert!(Sealer::load(Some("short"), &dir).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
