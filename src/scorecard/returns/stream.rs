//! A return's bytes as they are read, so that a large file is never held whole: checked as
//! UTF-8 on the way (what [`super::utf8_text`] checks of a whole file), cut off past the size
//! read, and counted into lines so that a problem can still name its line.
//!
//! The XML parser reads through a `BufReader` over [`Checked`]; the reader of the return tells
//! [`Checked::line_at`] where each event starts, and only the newlines since then are held.

use std::collections::VecDeque;
use std::io::{self, Read};

/// Longest stretch read past the start of one XML event (a tag, a text, a comment): nothing in
/// a return comes near it, and it bounds what the parser and the line count hold.
pub const MAX_EVENT: u64 = 1024 * 1024;

/// A reader that passes on only UTF-8, and remembers the first thing wrong with the bytes.
pub struct Checked<R> {
    inner: R,
    max: u64,
    /// Bytes passed on (after a byte-order mark, which is dropped).
    passed: u64,
    started: bool,
    /// The end of a character split between two reads, passed on with the next.
    carry: Vec<u8>,
    /// Newlines passed on at or after `mark`, by offset; `mark_line` is the line at `mark`.
    newlines: VecDeque<u64>,
    mark: u64,
    mark_line: usize,
    /// Newlines passed on in all.
    lines: usize,
    first_non_ascii: Option<usize>,
    refused: Option<(usize, String)>,
}

impl<R: Read> Checked<R> {
    pub fn new(inner: R, max: u64) -> Self {
        Checked {
            inner,
            max,
            passed: 0,
            started: false,
            carry: Vec::with_capacity(4),
            newlines: VecDeque::new(),
            mark: 0,
            mark_line: 1,
            lines: 0,
            first_non_ascii: None,
            refused: None,
        }
    }

    /// The line (from 1) of an offset at or after the last one asked about; what came before it
    /// is forgotten. An offset beyond what was read gives the last line read.
    pub fn line_at(&mut self, offset: u64) -> usize {
        if offset >= self.mark {
            while self.newlines.front().is_some_and(|&n| n < offset) {
                self.newlines.pop_front();
                self.mark_line += 1;
            }
            self.mark = offset;
        }
        self.mark_line
    }

    /// The line after the last byte read: where the file ends.
    pub fn last_line(&self) -> usize {
        self.lines + 1
    }

    /// The line of the first byte beyond ASCII, if any was read.
    pub fn first_non_ascii(&self) -> Option<usize> {
        self.first_non_ascii
    }

    /// Why the bytes were refused, and the line: the reading stops there.
    pub fn refused(&self) -> Option<(usize, &str)> {
        self.refused.as_ref().map(|(l, m)| (*l, m.as_str()))
    }

    fn refuse(&mut self, line: usize, message: &str) -> io::Error {
        if self.refused.is_none() {
            self.refused = Some((line, message.to_string()));
        }
        io::Error::new(io::ErrorKind::InvalidData, message.to_string())
    }

    /// The line of a byte about to be passed on at `offset` into `buf` (whose first byte is
    /// passed on at `self.passed`).
    fn line_in(&self, buf: &[u8], offset: usize) -> usize {
        self.lines + buf[..offset].iter().filter(|&&b| b == b'\n').count() + 1
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some((_, m)) = &self.refused {
            return Err(io::Error::new(io::ErrorKind::InvalidData, m.clone()));
        }
        if out.len() < 8 {
            // The parser reads through a BufReader, whose buffer is far larger; a split
            // character needs room for itself and what completes it.
            return Err(io::Error::other("a read of fewer than 8 bytes"));
        }
        loop {
            let held = self.carry.len();
            out[..held].copy_from_slice(&self.carry);
            self.carry.clear();
            let n = self.inner.read(&mut out[held..])?;
            let total = held + n;
            if !self.started {
                if n > 0 && total < 3 {
                    self.carry.extend_from_slice(&out[..total]);
                    continue;
                }
                self.started = true;
                if out[..total].starts_with(&[0xFF, 0xFE])
                    || out[..total].starts_with(&[0xFE, 0xFF])
                {
                    return Err(
                        self.refuse(0, "the file is not UTF-8 (it is UTF-16): save it as UTF-8")
                    );
                }
                if out[..total].starts_with(&[0xEF, 0xBB, 0xBF]) {
                    out.copy_within(3..total, 0);
                    self.carry.extend_from_slice(&out[..total - 3]);
                    if total == 3 {
                        continue;
                    }
                    continue;
                }
            }
            if total == 0 {
                return Ok(0);
            }
            // Pass on what is valid; hold the start of a character cut by the read's end.
            let (good, bad) = match std::str::from_utf8(&out[..total]) {
                Ok(_) => (total, false),
                Err(e) if e.error_len().is_none() && n > 0 => {
                    let v = e.valid_up_to();
                    self.carry.extend_from_slice(&out[v..total]);
                    (v, false)
                }
                Err(e) => (e.valid_up_to(), true),
            };
            let good = match out[..good].iter().position(|&b| b == 0) {
                Some(at) => {
                    let line = self.line_in(out, at);
                    self.refuse(
                        line,
                        "the file is not UTF-8 (it has NUL bytes, as UTF-16 does): save it as UTF-8",
                    );
                    at
                }
                None => {
                    if bad {
                        let line = self.line_in(out, good);
                        self.refuse(line, "the file is not UTF-8: save it as UTF-8");
                    }
                    good
                }
            };
            if self.passed + good as u64 > self.max {
                let m = format!("the file is more than the {} bytes read", self.max);
                return Err(self.refuse(0, &m));
            }
            if self.passed + good as u64 > self.mark + MAX_EVENT {
                let line = self.mark_line;
                let m = format!(
                    "a tag, text or comment runs on for more than {} MB: nothing in a return is so long",
                    MAX_EVENT / 1024 / 1024
                );
                return Err(self.refuse(line, &m));
            }
            for (i, &b) in out[..good].iter().enumerate() {
                if b == b'\n' {
                    self.newlines.push_back(self.passed + i as u64);
                    self.lines += 1;
                } else if b >= 0x80 && self.first_non_ascii.is_none() {
                    self.first_non_ascii = Some(self.lines + 1);
                }
            }
            self.passed += good as u64;
            if good == 0 {
                if self.refused.is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        self.refused()
                            .map(|(_, m)| m.to_string())
                            .unwrap_or_default(),
                    ));
                }
                // Only the start of a character so far: read on for the rest.
                continue;
            }
            return Ok(good);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads everything through `Checked` in reads of `step` bytes.
    fn through(bytes: &[u8], step: usize, max: u64) -> (Vec<u8>, Checked<&[u8]>) {
        let mut c = Checked::new(bytes, max);
        let mut got = Vec::new();
        let mut buf = vec![0u8; step];
        while let Ok(n) = c.read(&mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        (got, c)
    }

    #[test]
    fn returns_stream_passes_utf8_whole_whatever_the_reads() {
        let text = "<a>caf\u{e9}\n\u{1F600}\n</a>\n".repeat(50);
        for step in [8, 9, 10, 13, 64, 4096] {
            let (got, c) = through(text.as_bytes(), step, 1 << 20);
            assert_eq!(got, text.as_bytes(), "reads of {step}");
            assert!(c.refused().is_none());
            assert_eq!(c.last_line(), 151);
            assert_eq!(c.first_non_ascii(), Some(1));
        }
        let with_bom = [&[0xEF, 0xBB, 0xBF][..], b"<a>\n</a>"].concat();
        let (got, _) = through(&with_bom, 8, 1 << 20);
        assert_eq!(got, b"<a>\n</a>");
    }

    #[test]
    fn returns_stream_refuses_what_is_not_utf8_with_its_line() {
        let mut latin1 = b"<a>\n<b>\ncaf".to_vec();
        latin1.push(0xE9);
        latin1.extend_from_slice(b"</b></a>");
        for step in [8, 11, 4096] {
            let (got, c) = through(&latin1, step, 1 << 20);
            assert_eq!(got, b"<a>\n<b>\ncaf", "everything before the bad byte");
            let (line, m) = c.refused().expect("refused");
            assert_eq!(line, 3);
            assert!(m.starts_with("the file is not UTF-8"), "{m}");
        }
        let (_, c) = through(b"<a>\0</a>", 8, 1 << 20);
        assert!(c.refused().is_some_and(|(_, m)| m.contains("NUL")));
        let (_, c) = through(&[0xFF, 0xFE, b'<', 0], 8, 1 << 20);
        assert!(c.refused().is_some_and(|(_, m)| m.contains("UTF-16")));
        // A file cut in the middle of a character.
        let (_, c) = through(&[b'<', b'a', b'>', 0xC3], 8, 1 << 20);
        assert!(c.refused().is_some());
    }

    #[test]
    fn returns_stream_stops_past_the_size_and_a_run_on_event() {
        let (_, c) = through(&[b' '; 100], 16, 50);
        assert!(
            c.refused()
                .is_some_and(|(_, m)| m.contains("more than the 50 bytes read"))
        );
        let long = vec![b'x'; (MAX_EVENT + 10) as usize];
        let (_, c) = through(&long, 4096, u64::MAX);
        assert!(c.refused().is_some_and(|(_, m)| m.contains("runs on")));
    }

    #[test]
    fn returns_stream_gives_the_line_of_an_offset_from_the_last_asked() {
        let text = b"a\nb\nc\nd\n";
        let mut c = Checked::new(&text[..], 1 << 20);
        let mut buf = [0u8; 64];
        assert_eq!(c.read(&mut buf).ok(), Some(8));
        assert_eq!(c.line_at(0), 1);
        assert_eq!(c.line_at(2), 2);
        assert_eq!(c.line_at(3), 2);
        assert_eq!(c.line_at(6), 4);
        assert_eq!(c.last_line(), 5);
    }
}
