//! Small charts drawn on the server as inline SVG from plain numbers: a bar chart (labelled
//! bars, with an optional target line) and a single stacked bar (the parts of a whole).
//!
//! Every chart is `role="img"` with a `<title>` and a `<desc>` that says the numbers in words,
//! every bar or part carries its words and its number (a colour never means anything alone),
//! and the page shows the same numbers in a table beside it. The drawing scales to its box
//! (`viewBox`, and `.masa-bar-chart` in the stylesheet: `width: 100%` up to a reading width),
//! so it fits a phone; the text is laid out in lines above the bars, never beside them, so a
//! narrow screen does not squeeze it. No script, no fonts, no inline style (the CSP forbids it).

use std::fmt::Write as _;

/// The width the drawing is laid out in; it is scaled to the page from there. At 16 units a
/// letter it reads as 16 pixels on a 390-pixel phone (360 pixels inside the page's margins)
/// and 19 on a desktop.
const W: f64 = 360.0;
const FONT: f64 = 16.0;
const LINE: f64 = 20.0;
const BAR: f64 = 24.0;
const GAP: f64 = 14.0;
/// Characters of a label on one line (system fonts average about half their size a letter).
const CHARS: usize = 40;
const INK: &str = "#0b0c0c";
const TRACK: &str = "#f3f2f1";
const FONTS: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";

/// A colour from the GOV.UK palette, with the text colour that reads on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    Red,
    /// Amber: the design system's yellow, with dark text and a dark edge (it is too light to
    /// stand out from white on its own).
    Yellow,
    Green,
    Blue,
    Grey,
}

impl Colour {
    pub fn fill(self) -> &'static str {
        match self {
            Colour::Red => "#d4351c",
            Colour::Yellow => "#ffdd00",
            Colour::Green => "#00703c",
            Colour::Blue => "#1d70b8",
            Colour::Grey => "#505a5f",
        }
    }

    /// The colour of a number written on this colour.
    pub fn ink(self) -> &'static str {
        match self {
            Colour::Yellow => INK,
            _ => "#ffffff",
        }
    }

    /// The edge drawn round a shape of this colour, where it needs one to be seen on white.
    fn edge(self) -> &'static str {
        match self {
            Colour::Yellow => " stroke=\"#0b0c0c\" stroke-width=\"1\"",
            _ => "",
        }
    }
}

/// Text made safe for SVG or HTML, in an element or an attribute.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Break text into lines of at most `width` characters, at spaces where it can and inside a
/// word only when the word alone is longer than a line.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while let Some(last) = lines.last_mut() {
            let used = last.chars().count();
            let room = if used == 0 {
                width
            } else {
                width - used.min(width)
            };
            if word.len() + usize::from(used > 0) <= room {
                if used > 0 {
                    last.push(' ');
                }
                last.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(String::new());
                continue;
            }
            // A word longer than a line: cut it.
            let rest = word.split_off(width);
            last.extend(word.iter());
            lines.push(String::new());
            word = rest;
        }
    }
    if lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// An id safe to put in the page: letters, digits, `-` and `_`, starting with a letter.
fn safe_id(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("chart-{s}")
    }
}

/// A number as a coordinate: one decimal place, no "-0".
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// "1 action", "2 actions": a count that agrees with its noun.
pub fn counted(count: impl Into<u64>, one: &str, many: &str) -> String {
    let count = count.into();
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A share in whole percent, rounded half up; none of nothing is 0%.
pub fn percent(part: u64, whole: u64) -> u64 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

fn open(svg: &mut String, id: &str, title: &str, desc: &str, height: f64) {
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"masa-bar-chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"{FONTS}\" font-size=\"{FONT}\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc),
        w = n(W),
        h = n(height),
    );
}

/// A label and its number in lines: the number kept whole, after the label on its last line
/// when it fits there, else on a line of its own ("1 of 4 (25%)" never split).
pub fn labelled(label: &str, number: &str, width: usize) -> Vec<String> {
    let mut out = wrap(&format!("{label}:"), width);
    match out.last_mut() {
        Some(last) if last.chars().count() + 1 + number.chars().count() <= width => {
            last.push(' ');
            last.push_str(number);
        }
        _ => out.extend(wrap(number, width)),
    }
    out
}

/// Lines of text from `y` (the top of the first line); the y below the last.
fn lines(svg: &mut String, x: f64, y: f64, text: &str, width: usize) -> f64 {
    draw(svg, x, y, wrap(text, width))
}

fn draw(svg: &mut String, x: f64, y: f64, lines: Vec<String>) -> f64 {
    let mut y = y;
    for line in lines {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" fill=\"{INK}\">{}</text>",
            n(x),
            n(y + FONT),
            esc(&line)
        );
        y += LINE;
    }
    y
}

/// One bar: its words, its length and its colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// The number as people read it ("3 actions", "2 of 3 meetings (67%)").
    pub text: String,
    pub colour: Colour,
}

/// A line across the bars at a value, with what it means ("Expected: 75% of meetings").
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub value: f64,
    pub label: String,
}

/// Horizontal bars, each under its label and number, on a scale from 0 to `max` (by default
/// the largest value).
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub bars: Vec<Bar>,
    pub max: Option<f64>,
    pub target: Option<Target>,
}

impl BarChart {
    pub fn new(id: &str, title: impl Into<String>) -> BarChart {
        BarChart {
            id: safe_id(id),
            title: title.into(),
            bars: Vec::new(),
            max: None,
            target: None,
        }
    }

    pub fn bar(
        mut self,
        label: impl Into<String>,
        value: f64,
        text: impl Into<String>,
        colour: Colour,
    ) -> BarChart {
        self.bars.push(Bar {
            label: label.into(),
            value,
            text: text.into(),
            colour,
        });
        self
    }

    /// The scale ends here (100 for percentages) rather than at the largest bar.
    pub fn out_of(mut self, max: f64) -> BarChart {
        self.max = Some(max);
        self
    }

    pub fn target(mut self, value: f64, label: impl Into<String>) -> BarChart {
        self.target = Some(Target {
            value,
            label: label.into(),
        });
        self
    }

    fn scale(&self) -> f64 {
        let largest = self
            .bars
            .iter()
            .map(|b| b.value)
            .chain(self.target.as_ref().map(|t| t.value))
            .fold(0.0, f64::max);
        self.max.unwrap_or(largest)
    }

    /// Where a value falls on the drawing, from 0 to its width.
    fn x(&self, value: f64) -> f64 {
        let max = self.scale();
        if max > 0.0 && value.is_finite() {
            (value.clamp(0.0, max) / max) * W
        } else {
            0.0
        }
    }

    /// Each bar's length in the drawing's units: proportional to its value, none when every
    /// value is nothing.
    pub fn lengths(&self) -> Vec<f64> {
        self.bars.iter().map(|b| self.x(b.value)).collect()
    }

    /// The numbers in words, for the description.
    pub fn description(&self) -> String {
        let mut parts: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{}: {}.", b.label, b.text))
            .collect();
        if let Some(t) = &self.target {
            parts.push(format!("{}.", t.label));
        }
        if parts.is_empty() {
            "Nothing to show.".into()
        } else {
            parts.join(" ")
        }
    }

    pub fn svg(&self) -> String {
        let mut body = String::new();
        let mut y = 0.0;
        let mut tracks = Vec::new();
        for (b, len) in self.bars.iter().zip(self.lengths()) {
            y = draw(&mut body, 0.0, y, labelled(&b.label, &b.text, CHARS)) + 4.0;
            let _ = write!(
                body,
                "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{BAR}\" fill=\"{TRACK}\"/>",
                n(y),
                n(W)
            );
            if len > 0.0 {
                let _ = write!(
                    body,
                    "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{BAR}\" fill=\"{}\"{}/>",
                    n(y),
                    n(len),
                    b.colour.fill(),
                    b.colour.edge()
                );
            }
            tracks.push(y);
            y += BAR + GAP;
        }
        if let Some(t) = &self.target {
            // Kept inside the drawing, so a target at the end of the scale is still seen.
            let x = self.x(t.value).clamp(1.0, W - 1.0);
            for top in &tracks {
                let _ = write!(
                    body,
                    "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                    n(top - 3.0),
                    n(top + BAR + 3.0),
                    x = n(x)
                );
            }
            let _ = write!(
                body,
                "<line x1=\"0\" y1=\"{m}\" x2=\"24\" y2=\"{m}\" stroke=\"{INK}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                m = n(y + LINE / 2.0 + 2.0)
            );
            y = lines(
                &mut body,
                32.0,
                y,
                &format!("Dashed line: {}", t.label),
                CHARS - 4,
            ) + GAP;
        }
        if self.bars.is_empty() {
            y = lines(&mut body, 0.0, 0.0, "Nothing to show.", CHARS) + GAP;
        }
        let height = (y - GAP).max(LINE);
        let mut svg = String::new();
        open(&mut svg, &self.id, &self.title, &self.description(), height);
        svg.push_str(&body);
        svg.push_str("</svg>");
        svg
    }
}

impl std::fmt::Display for BarChart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.svg())
    }
}

/// One part of a whole.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub label: String,
    pub count: u64,
    pub colour: Colour,
}

/// One bar split into the parts of a whole, left to right in the order given, with a key
/// below in the same order that gives each part's words, count and share.
#[derive(Clone, Debug, PartialEq)]
pub struct Stacked {
    pub id: String,
    pub title: String,
    /// What the whole counts, one and many ("recommendation", "recommendations").
    pub noun: (String, String),
    pub parts: Vec<Part>,
}

impl Stacked {
    pub fn new(id: &str, title: impl Into<String>, one: &str, many: &str) -> Stacked {
        Stacked {
            id: safe_id(id),
            title: title.into(),
            noun: (one.to_owned(), many.to_owned()),
            parts: Vec::new(),
        }
    }

    pub fn part(mut self, label: impl Into<String>, count: u64, colour: Colour) -> Stacked {
        self.parts.push(Part {
            label: label.into(),
            count,
            colour,
        });
        self
    }

    pub fn total(&self) -> u64 {
        self.parts.iter().map(|p| p.count).sum()
    }

    /// Where each part starts and ends in the drawing's units. The ends are rounded from the
    /// running total, so the parts meet without gaps and the last ends at the edge.
    pub fn spans(&self) -> Vec<(f64, f64)> {
        let total = self.total();
        let mut sum = 0;
        self.parts
            .iter()
            .map(|p| {
                let start = sum;
                sum += p.count;
                match total {
                    0 => (0.0, 0.0),
                    t => (W * start as f64 / t as f64, W * sum as f64 / t as f64),
                }
            })
            .collect()
    }

    fn part_text(&self, p: &Part) -> String {
        format!(
            "{}: {} ({}%)",
            p.label,
            p.count,
            percent(p.count, self.total())
        )
    }

    pub fn description(&self) -> String {
        let total = self.total();
        let whole = counted(total, &self.noun.0, &self.noun.1);
        if total == 0 {
            return format!("{whole}.");
        }
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|p| format!("{}.", self.part_text(p)))
            .collect();
        format!("{whole}. {}", parts.join(" "))
    }

    pub fn svg(&self) -> String {
        const TALL: f64 = 32.0;
        let mut body = String::new();
        let total = self.total();
        let mut y = lines(
            &mut body,
            0.0,
            0.0,
            &format!("{} in all", counted(total, &self.noun.0, &self.noun.1)),
            CHARS,
        ) + 4.0;
        let _ = write!(
            body,
            "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{TALL}\" fill=\"{TRACK}\"/>",
            n(y),
            n(W)
        );
        for (p, (from, to)) in self.parts.iter().zip(self.spans()) {
            if to <= from {
                continue;
            }
            let _ = write!(
                body,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{TALL}\" fill=\"{}\"{}/>",
                n(from),
                n(y),
                n(to - from),
                p.colour.fill(),
                p.colour.edge()
            );
            // The count on the part where it fits (the key below always has it).
            let digits = p.count.to_string();
            if to - from >= digits.len() as f64 * 10.0 + 8.0 {
                let _ = write!(
                    body,
                    "<text x=\"{}\" y=\"{}\" fill=\"{}\" font-weight=\"bold\" text-anchor=\"middle\">{digits}</text>",
                    n((from + to) / 2.0),
                    n(y + TALL / 2.0 + FONT * 0.35),
                    p.colour.ink()
                );
            }
        }
        // White edges between the parts, so that neighbours are told apart without colour.
        for (from, to) in self.spans().iter().skip(1) {
            if to > from && *from > 0.0 {
                let _ = write!(
                    body,
                    "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#ffffff\" stroke-width=\"2\"/>",
                    n(y),
                    n(y + TALL),
                    x = n(*from)
                );
            }
        }
        y += TALL + GAP;
        for p in &self.parts {
            let _ = write!(
                body,
                "<rect x=\"1\" y=\"{}\" width=\"16\" height=\"16\" fill=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
                n(y + 3.0),
                p.colour.fill()
            );
            let number = format!("{} ({}%)", p.count, percent(p.count, self.total()));
            y = draw(&mut body, 26.0, y, labelled(&p.label, &number, CHARS - 3)) + 6.0;
        }
        let mut svg = String::new();
        open(&mut svg, &self.id, &self.title, &self.description(), y);
        svg.push_str(&body);
        svg.push_str("</svg>");
        svg
    }
}

impl std::fmt::Display for Stacked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.svg())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rag() -> BarChart {
        BarChart::new("rag-chart", "Open actions")
            .bar("Overdue", 3.0, "3 actions", Colour::Red)
            .bar("Due soon", 1.0, "1 action", Colour::Yellow)
            .bar("On track", 6.0, "6 actions", Colour::Green)
    }

    #[test]
    fn chart_escapes_text_in_elements_and_attributes() {
        assert_eq!(
            esc("<a & \"b\" 'c'>"),
            "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;"
        );
        let svg = BarChart::new("x", "Tom & Jerry's <b>")
            .bar("<script>", 1.0, "\"1\"", Colour::Blue)
            .svg();
        assert!(svg.contains("<title id=\"x-title\">Tom &amp; Jerry&#39;s &lt;b&gt;</title>"));
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;: &quot;1&quot;"));
        // An id cannot break out of its attribute.
        let svg = BarChart::new("a\" onload=\"x", "T").svg();
        assert!(svg.contains("id=\"a--onload--x\""), "{svg}");
        assert_eq!(safe_id("2024"), "chart-2024");
    }

    #[test]
    fn chart_bars_are_proportional() {
        let close = |got: Vec<f64>, want: &[f64]| {
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-9, "{got:?} against {want:?}");
            }
        };
        let c = rag();
        close(c.lengths(), &[W / 2.0, W / 6.0, W]);
        let c = c.out_of(12.0);
        close(c.lengths(), &[W / 4.0, W / 12.0, W / 2.0]);
        // Past the end of the scale a bar stops at its edge.
        let c = BarChart::new("p", "P")
            .out_of(100.0)
            .bar("A", 150.0, "150%", Colour::Blue)
            .bar("B", -5.0, "none", Colour::Blue);
        assert_eq!(c.lengths(), vec![W, 0.0]);
    }

    #[test]
    fn chart_is_accessible_and_says_its_numbers() {
        let svg = rag().svg();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"rag-chart-title rag-chart-desc\""));
        assert!(svg.contains("<title id=\"rag-chart-title\">Open actions</title>"));
        assert!(svg.contains(
            "<desc id=\"rag-chart-desc\">Overdue: 3 actions. Due soon: 1 action. On track: 6 actions.</desc>"
        ));
        assert!(svg.contains("viewBox=\"0 0 360 "));
        // Each bar's words and number are drawn, not only its colour.
        for t in [
            "Overdue: 3 actions",
            "Due soon: 1 action",
            "On track: 6 actions",
        ] {
            assert!(svg.contains(&format!(">{t}</text>")), "{t}");
        }
        // Amber is the light yellow, edged in black; its bar, the track and two others.
        assert!(svg.contains("fill=\"#ffdd00\" stroke=\"#0b0c0c\""));
        assert_eq!(svg.matches("<rect").count(), 6);
        // The style attribute is refused by the content security policy.
        assert!(!svg.contains("style="));
    }

    #[test]
    fn chart_with_nothing_to_count_draws_no_bars() {
        let c = BarChart::new("z", "None")
            .bar("Overdue", 0.0, "0 actions", Colour::Red)
            .bar("On track", 0.0, "0 actions", Colour::Green);
        assert_eq!(c.lengths(), vec![0.0, 0.0]);
        let svg = c.svg();
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // Only the two empty tracks.
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Overdue: 0 actions"));
        let empty = BarChart::new("e", "Empty").svg();
        assert!(empty.contains("Nothing to show."));
        let s = Stacked::new("s", "Loop", "recommendation", "recommendations")
            .part("Closed", 0, Colour::Green)
            .part("Open", 0, Colour::Yellow);
        assert_eq!(s.spans(), vec![(0.0, 0.0), (0.0, 0.0)]);
        assert!(s.description().starts_with("0 recommendations."));
        let svg = s.svg();
        assert!(!svg.contains("NaN"));
        assert!(svg.contains("Closed: 0 (0%)"));
    }

    #[test]
    fn chart_target_is_drawn_and_told() {
        let c = BarChart::new("att", "Attendance")
            .out_of(100.0)
            .bar("Police", 50.0, "2 of 4 meetings (50%)", Colour::Yellow)
            .target(75.0, "Expected: 75% of meetings");
        let svg = c.svg();
        assert!(svg.contains("x1=\"270\""), "{svg}");
        // Said below the bars (on two lines at this length).
        assert!(
            svg.contains(">Dashed line: Expected: 75% of</text>"),
            "{svg}"
        );
        assert!(svg.contains(">meetings</text>"));
        assert!(c.description().ends_with("Expected: 75% of meetings."));
        // A target at the very end stays inside the drawing.
        let svg = BarChart::new("t", "T")
            .out_of(100.0)
            .bar("A", 10.0, "10%", Colour::Blue)
            .target(100.0, "All")
            .svg();
        assert!(svg.contains("x1=\"359\""));
    }

    #[test]
    fn chart_long_labels_wrap_onto_lines() {
        let long = "Livewell Southwest Community Interest Company and University Hospitals Plymouth NHS Trust";
        let c = BarChart::new("l", "Long").bar(long, 1.0, "1 of 1 (100%)", Colour::Blue);
        let svg = c.svg();
        let texts = svg.matches("<text").count();
        assert!(texts >= 3, "{svg}");
        let drawn = labelled(long, "1 of 1 (100%)", CHARS);
        for line in &drawn {
            assert!(line.chars().count() <= CHARS, "{line}");
        }
        // The number is never split across lines.
        assert!(
            drawn.iter().any(|l| l.ends_with("1 of 1 (100%)")),
            "{drawn:?}"
        );
        assert_eq!(
            labelled("Notifications to the Panel on time", "1 of 1 (100%)", 40),
            vec!["Notifications to the Panel on time:", "1 of 1 (100%)"]
        );
        assert_eq!(
            labelled("Overdue", "3 actions", 40),
            vec!["Overdue: 3 actions"]
        );
        // The drawing is as tall as its lines.
        let short = BarChart::new("s", "Short")
            .bar("A", 1.0, "1", Colour::Blue)
            .svg();
        let h = |s: &str| {
            s.split("viewBox=\"0 0 360 ")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        assert!(h(&svg) > h(&short));
        // A word longer than a line is cut.
        let lines = wrap(&"x".repeat(100), 44);
        assert_eq!(
            lines.iter().map(|l| l.len()).collect::<Vec<_>>(),
            vec![44, 44, 12]
        );
        assert_eq!(wrap("a b c", 3), vec!["a b", "c"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(
            wrap("élève à l'école", 5),
            vec!["élève", "à", "l'éco", "le"]
        );
    }

    #[test]
    fn chart_stacked_parts_make_the_whole() {
        let s = Stacked::new("loop", "Learning loop", "recommendation", "recommendations")
            .part("No actions yet", 1, Colour::Red)
            .part("Actions open", 2, Colour::Yellow)
            .part("Actions done", 0, Colour::Blue)
            .part("Loop closed", 5, Colour::Green);
        assert_eq!(s.total(), 8);
        assert_eq!(
            s.spans(),
            vec![(0.0, 45.0), (45.0, 135.0), (135.0, 135.0), (135.0, 360.0)]
        );
        assert_eq!(
            s.description(),
            "8 recommendations. No actions yet: 1 (13%). Actions open: 2 (25%). Actions done: 0 (0%). Loop closed: 5 (63%)."
        );
        let svg = s.svg();
        assert!(svg.contains("<title id=\"loop-title\">Learning loop</title>"));
        assert!(svg.contains(">8 recommendations in all</text>"));
        // Three parts drawn (the empty one is not), the track, and four keys.
        assert_eq!(svg.matches("<rect").count(), 8);
        assert!(svg.contains(">Loop closed: 5 (63%)</text>"));
        let one = Stacked::new("o", "One", "case", "cases").part("Done", 1, Colour::Green);
        assert_eq!(one.description(), "1 case. Done: 1 (100%).");
    }

    #[test]
    fn chart_counts_agree_with_their_nouns() {
        assert_eq!(counted(1u64, "action", "actions"), "1 action");
        assert_eq!(counted(0u64, "action", "actions"), "0 actions");
        assert_eq!(counted(2u64, "action", "actions"), "2 actions");
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(0, 0), 0);
    }
}
