//! Contact details in text as links a phone can call or write to: UK phone numbers as `tel:`,
//! email addresses as `mailto:`. Used wherever the public reads contact details (a
//! partnership's page, its published arrangements, its agencies, a page not found), through
//! `linked` in `templates/macros.html`.

/// A piece of a line of contact text: words, or a number or address to link to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    /// `tel:` or `mailto:` when the text is a phone number or an email address.
    pub href: Option<String>,
}

/// Numbers people call about a child that are shorter than a full number.
const SHORT_NUMBERS: &[&str] = &["999", "101", "111", "116123"];

/// A line of contact text ("Call the front door on 01752 668000, or email mash@plymouth.gov.uk")
/// in parts, UK phone numbers and email addresses as links, the rest as it was typed.
pub fn contact_parts(line: &str) -> Vec<Part> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out: Vec<Part> = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let starts_word = i == 0 || !chars[i - 1].1.is_alphanumeric();
        if starts_word
            && (c.is_ascii_digit() || c == '+')
            && let Some((end, href)) = phone_at(line, &chars, i)
        {
            push_plain(&mut out, &line[plain_from..at]);
            out.push(Part {
                text: line[at..end].to_owned(),
                href: Some(href),
            });
            plain_from = end;
            i = chars
                .iter()
                .position(|(b, _)| *b >= end)
                .unwrap_or(chars.len());
            continue;
        }
        i += 1;
    }
    push_plain(&mut out, &line[plain_from..]);
    out
}

/// A phone number starting at `chars[i]`: where it ends (a byte offset) and its `tel:` link.
fn phone_at(line: &str, chars: &[(usize, char)], i: usize) -> Option<(usize, String)> {
    let mut j = i;
    let mut last_digit = None;
    while j < chars.len() {
        let c = chars[j].1;
        let spaced = c == ' ' && j > i && chars[j - 1].1 == ' ';
        if spaced
            || !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && j == i))
        {
            break;
        }
        if c.is_ascii_digit() {
            last_digit = Some(j);
        }
        j += 1;
    }
    let last = last_digit?;
    let end = chars.get(last + 1).map_or(line.len(), |(b, _)| *b);
    // A number glued to letters ("A38") is not a phone number.
    if chars
        .get(last + 1)
        .is_some_and(|(_, c)| c.is_alphanumeric())
    {
        return None;
    }
    let text = &line[chars[i].0..end];
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let ok = if text.starts_with("+44") {
        digits.len() == 12
    } else if text.starts_with('0') {
        (10..=11).contains(&digits.len())
    } else {
        SHORT_NUMBERS.contains(&text)
    };
    let href = if text.starts_with('+') {
        format!("tel:+{digits}")
    } else {
        format!("tel:{digits}")
    };
    ok.then_some((end, href))
}

/// Plain text, with any email addresses in it as links.
fn push_plain(out: &mut Vec<Part>, text: &str) {
    let mut from = 0;
    for (at, word) in words(text) {
        let address = word.trim_end_matches(['.', ',', ';', ':', ')']);
        let address = address.trim_start_matches('(');
        let lead = word.len() - word.trim_start_matches('(').len();
        if is_email(address) {
            let start = at + lead;
            plain(out, &text[from..start]);
            out.push(Part {
                text: address.to_owned(),
                href: Some(format!("mailto:{address}")),
            });
            from = start + address.len();
        }
    }
    plain(out, &text[from..]);
}

fn plain(out: &mut Vec<Part>, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Part {
            text: t,
            href: None,
        }) => t.push_str(text),
        _ => out.push(Part {
            text: text.to_owned(),
            href: None,
        }),
    }
}

/// The words of a text with where each starts.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(' ').scan(0, |at, w| {
        let start = *at;
        *at += w.len() + 1;
        Some((start, w))
    })
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "@._-+".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(line: &str) -> Vec<(String, String)> {
        contact_parts(line)
            .into_iter()
            .filter_map(|p| p.href.map(|h| (p.text, h)))
            .collect()
    }

    #[test]
    fn phone_numbers_and_addresses_become_links() {
        let line = "Call the front door on 01752 668000, out of hours 0345 155 1071, or email mash@plymouth.gov.uk.";
        assert_eq!(
            links(line),
            vec![
                ("01752 668000".into(), "tel:01752668000".into()),
                ("0345 155 1071".into(), "tel:03451551071".into()),
                (
                    "mash@plymouth.gov.uk".into(),
                    "mailto:mash@plymouth.gov.uk".into()
                ),
            ]
        );
        // Nothing is lost or added: the parts make the line again.
        let again: String = contact_parts(line).into_iter().map(|p| p.text).collect();
        assert_eq!(again, line);
        assert_eq!(
            links("In an emergency call 999 (or +44 1752 668000)"),
            vec![
                ("999".into(), "tel:999".into()),
                ("+44 1752 668000".into(), "tel:+441752668000".into()),
            ]
        );
    }

    #[test]
    fn other_numbers_stay_text() {
        for line in [
            "Open 9 to 5, Monday to Friday",
            "Floor 3, 1 Civic Centre, PL1 2AA",
            "Ref 2026 0001",
            "Take the A38",
            "Reg. no. 12345678901234",
        ] {
            assert!(links(line).is_empty(), "{line}");
            let again: String = contact_parts(line).into_iter().map(|p| p.text).collect();
            assert_eq!(again, line);
        }
    }
}
