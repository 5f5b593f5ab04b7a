//! Secrets handed out (in links, cookies and API tokens) and what is kept of them.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A secret for a link or a cookie: 32 random bytes, URL-safe.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// What is stored of a secret: its SHA-256, so a copy of the database cannot be replayed.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_long_and_kept_only_as_digests() {
        let s = super::new_secret();
        assert_eq!(s.len(), 43);
        assert_ne!(s, super::new_secret());
        assert_eq!(super::secret_hash(&s).len(), 64);
        assert!(!super::secret_hash(&s).contains(&s));
    }
}
