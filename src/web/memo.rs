//! Values worked out once and kept by what they were worked out from: the caller's key names
//! the data (a document's number, the newest figure's id, each commentary's version), so a key
//! that still matches is still right and nothing needs clearing when data changes. One per
//! server state, so two databases in one process never share a value.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most values kept at once; past this the memo starts again rather than grow.
const KEPT: usize = 512;

type Kept = Arc<dyn Any + Send + Sync>;

#[derive(Clone, Default)]
pub struct Memo {
    values: Arc<Mutex<HashMap<String, Kept>>>,
}

impl Memo {
    /// The value kept under `key`, when there is one of this type.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let kept = self.values.lock().ok()?.get(key)?.clone();
        kept.downcast::<T>().ok()
    }

    /// Keep a value worked out just now, and give it back.
    pub fn keep<T: Any + Send + Sync>(&self, key: String, value: T) -> Arc<T> {
        let value = Arc::new(value);
        if let Ok(mut kept) = self.values.lock() {
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert(key, value.clone());
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_under_its_key_and_type() {
        let m = Memo::default();
        assert!(m.get::<String>("a").is_none());
        let v = m.keep("a".into(), "worked out".to_owned());
        assert_eq!(v.as_str(), "worked out");
        assert_eq!(
            m.get::<String>("a").as_deref().map(String::as_str),
            Some("worked out")
        );
        // Another type under the same key is not given back as this one.
        assert!(m.get::<i64>("a").is_none());
    }

    #[test]
    fn it_starts_again_rather_than_grow() {
        let m = Memo::default();
        for n in 0..KEPT + 1 {
            m.keep(format!("k{n}"), n);
        }
        assert!(m.get::<usize>("k0").is_none());
        assert_eq!(m.get::<usize>(&format!("k{KEPT}")).as_deref(), Some(&KEPT));
    }
}
