//! The children in need census: one XML file (`<Message>` with a `<Header>` and `<Children>`,
//! each `<Child>` holding its identifiers, characteristics and `<CINdetails>` episodes with their
//! assessments, CIN plans, section 47 enquiries and child protection plans), read as a stream.
//!
//! Specification followed: the DfE's "Children in need census 2025 to 2026: business and
//! technical specification" (collection 1 April 2025 to 31 March 2026), whose structure and
//! code sets are those of the 2024 to 2025 census; the element order, occurrences and code
//! lists below are the census's XML schema's. The one change by year is the child's sex: from
//! the 2024 to 2025 census (reference date 31 March 2025) `<Sex>` (M, F, U) replaces
//! `<GenderCurrent>` (0, 1, 2, 9), and an earlier census is read with `<GenderCurrent>`.
//! `<PreProceedingsandFGDM>` (pre-proceedings, of the 2026 to 2027 specification) is allowed in
//! `<CINdetails>` and not read. Element order within a module is not checked; everything else
//! the schema says about an element (which, how many, what value) is.
//!
//! Hostile files: no DTD is read (a `<!DOCTYPE` refuses the file, so neither internal nor
//! external entities can expand), only XML's five entities and character references are
//! understood, the file must be UTF-8, and nesting past [`MAX_DEPTH`] or a tag, text or comment
//! past [`stream::MAX_EVENT`] refuses it. The file is read as it comes ([`read_cin_from`]), never
//! held whole. Nothing is allocated from what the file says about itself; what is held grows
//! only with one child's episodes (at most [`MAX_EPISODES`]) and with a hashed key per child (to
//! find a repeated LAchildID), dropped when the reading ends.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

use chrono::{Datelike, Months, NaiveDate};
use quick_xml::Reader;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

use std::io::{BufReader, Read};

use super::{
    MAX_BYTES, Problems, ReturnProblem, codes_message, iso_date, stream, too_large, year_start,
};

/// Deepest nesting read: the census itself goes seven deep.
pub const MAX_DEPTH: usize = 16;
/// Longest value read (an LAchildID is at most 20 characters).
pub const MAX_VALUE: usize = 256;
/// `<CINdetails>` read for one child, and child protection plans for one child.
pub const MAX_EPISODES: usize = 200;
/// Children read from one census (a large authority's census has 60,000).
pub const MAX_CHILDREN: usize = 1_000_000;

/// The census's figures: counts only, nothing that identifies a child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CinFigures {
    /// The header's `<ReferenceDate>` (31 March, the end of the census year).
    pub reference_date: NaiveDate,
    /// `<Child>` elements read.
    pub children: usize,
    /// Referrals (`<CINreferralDate>`) in the twelve months to the reference date, those
    /// with no further action included.
    pub referrals_12_months: i64,
    /// Of those, referrals within 12 months of the same child's previous referral (DfE's
    /// re-referral): the previous referral on or after the day 12 months before. Only earlier
    /// referrals in this census count, so a previous referral that closed before the census
    /// year (and so is not in it) is not seen.
    pub re_referrals_12_months: i64,
    /// Children with an episode open at the reference date: referred on or before it, and
    /// not closed or closed after it.
    pub children_in_need_at_date: i64,
    /// Child protection plans open at the reference date (a child has at most one).
    pub cp_plans_at_date: i64,
    /// Those plans by `<LatestCategoryOfAbuse>`: NEG, PHY, SAB, EMO and MUL, each present.
    pub cp_by_category: BTreeMap<String, i64>,
    /// Plans starting in the twelve months to the reference date.
    pub cp_started_12_months: i64,
    /// Of those, plans for a child who had an earlier plan: `<NumberOfPreviousCPP>` above 0, or
    /// an earlier plan in this census.
    pub cp_started_with_previous_plan: i64,
}

/// Reads a census and counts its figures, or gives every problem in it.
pub fn read_cin(name: &str, bytes: &[u8]) -> Result<CinFigures, Vec<ReturnProblem>> {
    read_cin_within(name, bytes, MAX_BYTES)
}

pub(crate) fn read_cin_within(
    name: &str,
    bytes: &[u8],
    max: usize,
) -> Result<CinFigures, Vec<ReturnProblem>> {
    if bytes.len() > max {
        return Err(vec![too_large(name, bytes.len(), max)]);
    }
    read_cin_from(name, bytes, max as u64)
}

/// Reads a census as it comes from `source` (a file, say), holding only the element being
/// read: a census of any size reads in a few megabytes.
pub fn read_cin_from<R: Read>(
    name: &str,
    source: R,
    max: u64,
) -> Result<CinFigures, Vec<ReturnProblem>> {
    let mut census = Census::new(name);
    census.read(source, max);
    census.finish()
}

// The census's code sets (the schema's enumerations).

pub const CATEGORIES: [&str; 5] = ["NEG", "PHY", "SAB", "EMO", "MUL"];
const ETHNICITY: &[&str] = &[
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
    "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
];
const DISABILITY: &[&str] = &[
    "NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA",
];
const REFERRAL_SOURCE: &[&str] = &[
    "1A", "1B", "1C", "1D", "2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C",
    "5D", "6", "7", "8", "9", "10",
];
const PRIMARY_NEED: &[&str] = &["N0", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"];
const REASON_FOR_CLOSURE: &[&str] = &[
    "RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9",
];
const UPN_UNKNOWN: &[&str] = &["UN1", "UN2", "UN3", "UN4", "UN5", "UN6", "UN7"];
const GENDER_CURRENT: &[&str] = &["0", "1", "2", "9"];
const SEX: &[&str] = &["M", "F", "U"];
/// Factors identified at assessment. 18A and 19A (physical and sexual abuse before the
/// child-on-child and adult-on-child split) are still accepted: the DfE's rules only query them.
const ASSESSMENT_FACTORS: &[&str] = &[
    "1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C", "5A", "5B", "5C", "6A",
    "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F", "9A", "10A", "11A", "12A", "13A", "14A", "15A",
    "16A", "17A", "18A", "18B", "18C", "19A", "19B", "19C", "20", "21", "22A", "23A", "24A",
];

/// What an element is: a module (holding elements) or a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    Message,
    Header,
    CollectionDetails,
    Source,
    Children,
    Child,
    Identifiers,
    Characteristics,
    Disabilities,
    Details,
    Assessment,
    Factors,
    CinPlan,
    Section47,
    Plan,
    Reviews,
    /// A module allowed and not read, or whatever is inside an element that is not expected.
    Skipped,
    Leaf(Leaf),
}

/// What a value is and where it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leaf {
    Collection,
    Year,
    ReferenceDate,
    SourceLevel,
    Lea,
    FreeText,
    SerialNo,
    DateTime,
    ChildId,
    Upn,
    UpnUnknown,
    BirthDate,
    Date,
    GenderCurrent,
    Sex,
    Ethnicity,
    Disability,
    ReferralDate,
    ReferralSource,
    PrimaryNeed,
    ClosureDate,
    ReasonForClosure,
    ReferralNfa,
    YesNo,
    /// AssessmentActualStartDate, CINPlanStartDate.
    SpanStart,
    /// AssessmentAuthorisationDate, CINPlanEndDate.
    SpanEnd,
    Factor,
    CppStart,
    CppEnd,
    InitialCategory,
    LatestCategory,
    PreviousCpp,
}

/// An element a module may hold, and how many times.
struct Slot {
    name: &'static str,
    node: Node,
    min: u32,
    max: u32,
}

const MANY: u32 = u32::MAX;

const fn one(name: &'static str, node: Node) -> Slot {
    Slot {
        name,
        node,
        min: 1,
        max: 1,
    }
}

const fn opt(name: &'static str, node: Node) -> Slot {
    Slot {
        name,
        node,
        min: 0,
        max: 1,
    }
}

const fn many(name: &'static str, node: Node, min: u32) -> Slot {
    Slot {
        name,
        node,
        min,
        max: MANY,
    }
}

const fn leaf(l: Leaf) -> Node {
    Node::Leaf(l)
}

// The schema's sequences. The header is optional in the schema; it is required here, since
// the reference date the figures count to is in it.
const MESSAGE: &[Slot] = &[one("Header", Node::Header), one("Children", Node::Children)];
const HEADER: &[Slot] = &[
    one("CollectionDetails", Node::CollectionDetails),
    many("Source", Node::Source, 0),
];
const COLLECTION_DETAILS: &[Slot] = &[
    opt("Collection", leaf(Leaf::Collection)),
    opt("Year", leaf(Leaf::Year)),
    one("ReferenceDate", leaf(Leaf::ReferenceDate)),
];
const SOURCE: &[Slot] = &[
    opt("SourceLevel", leaf(Leaf::SourceLevel)),
    one("LEA", leaf(Leaf::Lea)),
    opt("SoftwareCode", leaf(Leaf::FreeText)),
    opt("Release", leaf(Leaf::FreeText)),
    opt("SerialNo", leaf(Leaf::SerialNo)),
    opt("DateTime", leaf(Leaf::DateTime)),
];
const CHILDREN: &[Slot] = &[many("Child", Node::Child, 1)];
const CHILD: &[Slot] = &[
    one("ChildIdentifiers", Node::Identifiers),
    one("ChildCharacteristics", Node::Characteristics),
    many("CINdetails", Node::Details, 1),
];
// <Sex> or <GenderCurrent> is required by the census's year, checked when the module ends.
const IDENTIFIERS: &[Slot] = &[
    one("LAchildID", leaf(Leaf::ChildId)),
    opt("UPN", leaf(Leaf::Upn)),
    opt("FormerUPN", leaf(Leaf::Upn)),
    opt("UPNunknown", leaf(Leaf::UpnUnknown)),
    opt("PersonBirthDate", leaf(Leaf::BirthDate)),
    opt("ExpectedPersonBirthDate", leaf(Leaf::Date)),
    opt("GenderCurrent", leaf(Leaf::GenderCurrent)),
    opt("Sex", leaf(Leaf::Sex)),
    opt("PersonDeathDate", leaf(Leaf::Date)),
];
const CHARACTERISTICS: &[Slot] = &[
    one("Ethnicity", leaf(Leaf::Ethnicity)),
    opt("Disabilities", Node::Disabilities),
];
const DISABILITIES: &[Slot] = &[many("Disability", leaf(Leaf::Disability), 1)];
const DETAILS: &[Slot] = &[
    one("CINreferralDate", leaf(Leaf::ReferralDate)),
    one("ReferralSource", leaf(Leaf::ReferralSource)),
    opt("PrimaryNeedCode", leaf(Leaf::PrimaryNeed)),
    opt("CINclosureDate", leaf(Leaf::ClosureDate)),
    opt("ReasonForClosure", leaf(Leaf::ReasonForClosure)),
    opt("DateOfInitialCPC", leaf(Leaf::Date)),
    many("Assessments", Node::Assessment, 0),
    many("CINPlanDates", Node::CinPlan, 0),
    many("Section47", Node::Section47, 0),
    one("ReferralNFA", leaf(Leaf::ReferralNfa)),
    many("ChildProtectionPlans", Node::Plan, 0),
    many("PreProceedingsandFGDM", Node::Skipped, 0),
];
const ASSESSMENT: &[Slot] = &[
    one("AssessmentActualStartDate", leaf(Leaf::SpanStart)),
    opt("AssessmentInternalReviewDate", leaf(Leaf::Date)),
    opt("AssessmentAuthorisationDate", leaf(Leaf::SpanEnd)),
    opt("FactorsIdentifiedAtAssessment", Node::Factors),
];
// The schema wants at least one factor; an empty <FactorsIdentifiedAtAssessment/> (an
// assessment not yet authorised) is let through, as the DfE's rules only query it.
const FACTORS: &[Slot] = &[many("AssessmentFactors", leaf(Leaf::Factor), 0)];
const CIN_PLAN: &[Slot] = &[
    one("CINPlanStartDate", leaf(Leaf::SpanStart)),
    opt("CINPlanEndDate", leaf(Leaf::SpanEnd)),
];
const SECTION_47: &[Slot] = &[
    one("S47ActualStartDate", leaf(Leaf::Date)),
    opt("InitialCPCtarget", leaf(Leaf::Date)),
    opt("DateOfInitialCPC", leaf(Leaf::Date)),
    one("ICPCnotRequired", leaf(Leaf::YesNo)),
];
const PLAN: &[Slot] = &[
    one("CPPstartDate", leaf(Leaf::CppStart)),
    opt("CPPendDate", leaf(Leaf::CppEnd)),
    one("InitialCategoryOfAbuse", leaf(Leaf::InitialCategory)),
    one("LatestCategoryOfAbuse", leaf(Leaf::LatestCategory)),
    one("NumberOfPreviousCPP", leaf(Leaf::PreviousCpp)),
    opt("Reviews", Node::Reviews),
];
const REVIEWS: &[Slot] = &[many("CPPreviewDate", leaf(Leaf::Date), 1)];

const MOST_SLOTS: usize = 12;

fn slots(node: Node) -> &'static [Slot] {
    match node {
        Node::Message => MESSAGE,
        Node::Header => HEADER,
        Node::CollectionDetails => COLLECTION_DETAILS,
        Node::Source => SOURCE,
        Node::Children => CHILDREN,
        Node::Child => CHILD,
        Node::Identifiers => IDENTIFIERS,
        Node::Characteristics => CHARACTERISTICS,
        Node::Disabilities => DISABILITIES,
        Node::Details => DETAILS,
        Node::Assessment => ASSESSMENT,
        Node::Factors => FACTORS,
        Node::CinPlan => CIN_PLAN,
        Node::Section47 => SECTION_47,
        Node::Plan => PLAN,
        Node::Reviews => REVIEWS,
        Node::Skipped | Node::Leaf(_) => &[],
    }
}

/// An element being read.
struct Frame {
    node: Node,
    name: &'static str,
    line: usize,
    required: bool,
    counts: [u32; MOST_SLOTS],
}

/// One `<CINdetails>` of the child being read.
#[derive(Clone, Copy, Default)]
struct Episode {
    line: usize,
    referral: Option<NaiveDate>,
    referral_line: usize,
    closure: Option<NaiveDate>,
    closure_seen: bool,
    closure_line: usize,
    reason: bool,
    reason_line: usize,
    nfa: Option<bool>,
    need: bool,
}

/// One `<ChildProtectionPlans>` of the child being read.
#[derive(Clone, Copy, Default)]
struct Plan {
    episode: usize,
    start: Option<NaiveDate>,
    start_line: usize,
    end: Option<NaiveDate>,
    end_seen: bool,
    end_line: usize,
    latest: Option<usize>,
    previous: Option<u32>,
}

/// What is held about the child being read, cleared at the next `<Child>`.
#[derive(Default)]
struct ChildState {
    id: Option<u64>,
    id_line: usize,
    sex: bool,
    gender: bool,
    gender_line: usize,
    sex_line: usize,
    episodes: Vec<Episode>,
    plans: Vec<Plan>,
    too_many: bool,
}

impl ChildState {
    fn clear(&mut self) {
        self.id = None;
        self.id_line = 0;
        self.sex = false;
        self.gender = false;
        self.gender_line = 0;
        self.sex_line = 0;
        self.episodes.clear();
        self.plans.clear();
        self.too_many = false;
    }
}

/// The start and end of the assessment or CIN plan being read.
#[derive(Clone, Copy, Default)]
struct Span {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    end_line: usize,
}

#[derive(Default)]
struct Counts {
    children: usize,
    referrals: i64,
    re_referrals: i64,
    in_need: i64,
    plans_at_date: i64,
    by_category: [i64; 5],
    plans_started: i64,
    plans_started_with_previous: i64,
}

struct Census<'a> {
    name: &'a str,
    problems: Problems,
    stack: Vec<Frame>,
    value: String,
    value_too_long: bool,
    root_seen: bool,
    header_seen: bool,
    children_seen: bool,
    stopped: bool,
    /// Where the declaration names an encoding other than UTF-8, and which.
    declared: Option<(usize, String)>,
    last_line: usize,
    ref_date: Option<NaiveDate>,
    ref_line: usize,
    year: Option<(i32, usize)>,
    hasher: RandomState,
    ids: HashSet<u64>,
    child: ChildState,
    child_line: usize,
    span: Span,
    dates: Vec<NaiveDate>,
    counts: Counts,
}

impl<'a> Census<'a> {
    fn new(name: &'a str) -> Self {
        Census {
            name,
            problems: Problems::default(),
            stack: Vec::with_capacity(MAX_DEPTH),
            value: String::with_capacity(MAX_VALUE),
            value_too_long: false,
            root_seen: false,
            header_seen: false,
            children_seen: false,
            stopped: false,
            declared: None,
            last_line: 0,
            ref_date: None,
            ref_line: 0,
            year: None,
            hasher: RandomState::new(),
            ids: HashSet::new(),
            child: ChildState::default(),
            child_line: 0,
            span: Span::default(),
            dates: Vec::new(),
            counts: Counts::default(),
        }
    }

    fn problem(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.problems.push(self.name, line, field, message);
    }

    /// A problem that stops the reading: the file cannot be read further.
    fn fatal(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.problem(line, field, message);
        self.stopped = true;
    }

    /// Reads the census as it comes: only the event being read is held, never the file.
    fn read<R: Read>(&mut self, source: R, max: u64) {
        let checked = stream::Checked::new(source, max);
        let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, checked));
        {
            let config = reader.config_mut();
            config.check_end_names = true;
            config.check_comments = true;
            config.allow_unmatched_ends = false;
            config.allow_dangling_amp = false;
            config.expand_empty_elements = false;
            config.trim_text(false);
        }
        let mut buf = Vec::new();
        while !self.stopped {
            buf.clear();
            let before = reader.buffer_position();
            let line = reader.get_mut().get_mut().line_at(before);
            let event = match reader.read_event_into(&mut buf) {
                Ok(event) => event,
                Err(e) => {
                    let at = reader.error_position();
                    let checked = reader.get_mut().get_mut();
                    match checked.refused() {
                        Some((l, m)) => {
                            let m = m.to_string();
                            self.fatal(l, "", m);
                        }
                        None => {
                            let l = checked.line_at(at);
                            let m = format!("malformed XML: {}", short(&e.to_string()));
                            self.fatal(l, "", m);
                        }
                    }
                    break;
                }
            };
            match event {
                Event::Start(e) => {
                    if self.attributes_ok(&e, line) {
                        self.open(e.local_name().into_inner(), line);
                    }
                }
                Event::Empty(e) => {
                    if self.attributes_ok(&e, line) {
                        self.open(e.local_name().into_inner(), line);
                        if !self.stopped {
                            self.close(line);
                        }
                    }
                }
                Event::End(_) => self.close(line),
                Event::Text(t) => self.text(&t, line),
                Event::CData(t) => self.text(&t, line),
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) => Some(c),
                            _ => None,
                        }
                    } else {
                        match &*r {
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "amp" => Some('&'),
                            "apos" => Some('\''),
                            "quot" => Some('"'),
                            _ => None,
                        }
                    };
                    match resolved {
                        Some(c) => {
                            let mut buf = [0u8; 4];
                            self.text(c.encode_utf8(&mut buf), line);
                        }
                        None if r.is_char_ref() => self.fatal(
                            line,
                            "",
                            "malformed XML: a character reference that is not a character",
                        ),
                        None => self.fatal(
                            line,
                            "",
                            "an entity reference other than XML's own five (&lt; &gt; &amp; \
                             &apos; &quot;): entities are not read, so the file is refused",
                        ),
                    }
                }
                Event::DocType(_) => self.fatal(
                    line,
                    "",
                    "the file has a DOCTYPE (a document type definition): DTDs and the \
                     entities they declare are not read, so the file is refused",
                ),
                Event::Decl(d) => match d.encoding() {
                    Some(Ok(e)) => {
                        let e = e.into_owned();
                        let utf8 =
                            e.eq_ignore_ascii_case("utf-8") || e.eq_ignore_ascii_case("utf8");
                        if !utf8 {
                            self.declared = Some((line, e));
                        }
                    }
                    Some(Err(_)) => self.fatal(line, "", "malformed XML: the XML declaration"),
                    None => {}
                },
                Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
            // A file declared as another encoding reads the same as UTF-8 while it is ASCII.
            if let Some((_, e)) = &self.declared
                && let Some(l) = reader.get_ref().get_ref().first_non_ascii()
                && !self.stopped
            {
                let m = format!(
                    "the file is not UTF-8 (its declaration says {}): save it as UTF-8",
                    short(e)
                );
                self.fatal(l, "", m);
            }
        }
        self.last_line = reader.get_ref().get_ref().last_line();
    }

    fn attributes_ok(&mut self, e: &quick_xml::events::BytesStart<'_>, line: usize) -> bool {
        for a in e.attributes() {
            if let Err(err) = a {
                self.fatal(
                    line,
                    "",
                    format!("malformed XML: {}", short(&err.to_string())),
                );
                return false;
            }
        }
        true
    }

    fn open(&mut self, name: &str, line: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.fatal(
                line,
                "",
                format!(
                    "elements are nested more than {MAX_DEPTH} deep: the census goes seven deep"
                ),
            );
            return;
        }
        let Some(parent) = self.stack.last() else {
            if self.root_seen {
                self.fatal(line, "", "malformed XML: a second root element");
                return;
            }
            self.root_seen = true;
            if name != "Message" {
                self.fatal(
                    line,
                    "",
                    "the root element is not <Message>: this is not a children in need census",
                );
                return;
            }
            self.push(Node::Message, "Message", line, true);
            return;
        };
        let (parent_node, parent_name) = (parent.node, parent.name);
        match parent_node {
            Node::Skipped => self.push(Node::Skipped, "", line, false),
            Node::Leaf(_) => {
                self.problem(
                    line,
                    parent_name,
                    "holds an element, where the specification has a value",
                );
                self.push(Node::Skipped, "", line, false);
            }
            container => {
                let list = slots(container);
                let Some(i) = list.iter().position(|s| s.name == name) else {
                    let message = format!("<{}> is not an element of <{parent_name}>", short(name));
                    self.problem(line, parent_name, message);
                    self.push(Node::Skipped, "", line, false);
                    return;
                };
                let slot = &list[i];
                let count = {
                    let Some(frame) = self.stack.last_mut() else {
                        return;
                    };
                    frame.counts[i] = frame.counts[i].saturating_add(1);
                    frame.counts[i]
                };
                if count > slot.max {
                    self.problem(
                        line,
                        slot.name,
                        format!("more than one <{}> in <{parent_name}>", slot.name),
                    );
                }
                let node = self.begin(slot.node, line);
                if self.stopped {
                    return;
                }
                self.push(node, slot.name, line, slot.min > 0);
            }
        }
    }

    fn push(&mut self, node: Node, name: &'static str, line: usize, required: bool) {
        if let Node::Leaf(_) = node {
            self.value.clear();
            self.value_too_long = false;
        }
        self.stack.push(Frame {
            node,
            name,
            line,
            required,
            counts: [0; MOST_SLOTS],
        });
    }

    fn close(&mut self, line: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame.node {
            Node::Leaf(l) => {
                let value = std::mem::take(&mut self.value);
                if self.value_too_long {
                    self.problem(
                        frame.line,
                        frame.name,
                        format!("longer than the {MAX_VALUE} characters read"),
                    );
                } else {
                    let v = value.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\r' | '\n'));
                    if v.is_empty() {
                        if frame.required {
                            self.problem(frame.line, frame.name, "is empty");
                        }
                    } else {
                        self.leaf(l, frame.name, frame.line, v);
                    }
                }
                self.value = value;
            }
            Node::Skipped => {}
            container => {
                for (i, slot) in slots(container).iter().enumerate() {
                    if frame.counts[i] < slot.min {
                        self.problem(
                            frame.line,
                            slot.name,
                            format!("missing: <{}> needs a <{}>", frame.name, slot.name),
                        );
                    }
                }
                self.end(container, &frame, line);
            }
        }
    }

    fn text(&mut self, t: &str, line: usize) {
        let blank = t.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        let Some(frame) = self.stack.last() else {
            if !blank {
                self.fatal(line, "", "malformed XML: text outside the root element");
            }
            return;
        };
        match frame.node {
            Node::Leaf(_) => {
                if self.value.len() + t.len() > MAX_VALUE {
                    self.value_too_long = true;
                } else if !self.value_too_long {
                    self.value.push_str(t);
                }
            }
            Node::Skipped => {}
            _ if blank => {}
            _ => {
                let name = frame.name;
                // The line the text itself starts on, past the whitespace before it.
                let lead = t.len() - t.trim_start().len();
                let newlines = t.as_bytes()[..lead].iter().filter(|&&b| b == b'\n').count();
                self.problem(
                    line + newlines,
                    name,
                    "holds text, where the specification has only elements",
                );
            }
        }
    }

    /// What starting a module does; gives the node to read it as.
    fn begin(&mut self, node: Node, line: usize) -> Node {
        match node {
            Node::Header => {
                if self.children_seen {
                    self.problem(line, "Header", "comes after <Children>: it comes first");
                }
                self.header_seen = true;
            }
            Node::Children => {
                self.children_seen = true;
            }
            Node::Child => {
                self.child.clear();
                self.child_line = line;
                self.counts.children += 1;
                if self.counts.children > MAX_CHILDREN {
                    self.fatal(
                        line,
                        "Child",
                        format!("more than {MAX_CHILDREN} children: not one authority's census"),
                    );
                }
            }
            Node::Details => {
                if self.child.episodes.len() >= MAX_EPISODES {
                    if !self.child.too_many {
                        self.child.too_many = true;
                        self.problem(
                            line,
                            "CINdetails",
                            format!(
                                "more than {MAX_EPISODES} for one child: the rest are not read"
                            ),
                        );
                    }
                    return Node::Skipped;
                }
                self.child.episodes.push(Episode {
                    line,
                    ..Episode::default()
                });
            }
            Node::Plan => {
                if self.child.plans.len() >= MAX_EPISODES {
                    if !self.child.too_many {
                        self.child.too_many = true;
                        self.problem(
                            line,
                            "ChildProtectionPlans",
                            format!(
                                "more than {MAX_EPISODES} for one child: the rest are not read"
                            ),
                        );
                    }
                    return Node::Skipped;
                }
                let episode = self.child.episodes.len().saturating_sub(1);
                self.child.plans.push(Plan {
                    episode,
                    ..Plan::default()
                });
            }
            Node::Assessment | Node::CinPlan => self.span = Span::default(),
            _ => {}
        }
        node
    }

    fn date(&mut self, field: &str, line: usize, v: &str) -> Option<NaiveDate> {
        let d = iso_date(v);
        if d.is_none() {
            self.problem(line, field, "not a date (the census writes yyyy-mm-dd)");
        }
        d
    }

    fn code(&mut self, field: &str, line: usize, v: &str, what: &str, list: &[&str]) -> bool {
        let ok = list.contains(&v);
        if !ok {
            self.problem(line, field, codes_message(what, list));
        }
        ok
    }

    fn yes_no(&mut self, field: &str, line: usize, v: &str) -> Option<bool> {
        match v {
            "true" | "TRUE" | "1" => Some(true),
            "false" | "FALSE" | "0" => Some(false),
            _ => {
                self.problem(line, field, "not true or false (or 1 or 0)");
                None
            }
        }
    }

    fn leaf(&mut self, l: Leaf, field: &'static str, line: usize, v: &str) {
        match l {
            Leaf::Collection => {
                if v != "CIN" {
                    self.problem(
                        line,
                        field,
                        "not CIN: this is not a children in need census",
                    );
                }
            }
            Leaf::Year => match (v.len(), v.parse::<i32>()) {
                (4, Ok(y)) => self.year = Some((y, line)),
                _ => self.problem(line, field, "not a year"),
            },
            Leaf::ReferenceDate => {
                if let Some(d) = self.date(field, line, v) {
                    self.ref_date = Some(d);
                    self.ref_line = line;
                }
            }
            Leaf::SourceLevel => {
                self.code(field, line, v, "source level", &["L"]);
            }
            Leaf::Lea => {
                if !(v.len() == 3 && v.bytes().all(|b| b.is_ascii_digit())) {
                    self.problem(line, field, "not a local authority number (three digits)");
                }
            }
            Leaf::FreeText => {}
            Leaf::SerialNo => {
                if !(v.len() >= 3 && v.bytes().all(|b| b.is_ascii_digit())) {
                    self.problem(line, field, "not a serial number (three digits or more)");
                }
            }
            Leaf::DateTime => {
                let ok = v.len() >= 19
                    && v.is_char_boundary(19)
                    && chrono::NaiveDateTime::parse_from_str(&v[..19], "%Y-%m-%dT%H:%M:%S").is_ok()
                    && v[19..].bytes().all(|b| {
                        b.is_ascii_digit() || matches!(b, b'.' | b':' | b'+' | b'-' | b'Z')
                    });
                if !ok {
                    self.problem(line, field, "not a date and time (yyyy-mm-ddThh:mm:ss)");
                }
            }
            Leaf::ChildId => {
                // From the 2024 to 2025 census: at most 20 letters and digits.
                let strict = self.ref_date.is_none_or(|d| d.year() >= 2025);
                if strict && !(v.len() <= 20 && v.bytes().all(|b| b.is_ascii_alphanumeric())) {
                    self.problem(
                        line,
                        field,
                        "not an LA child ID (at most 20 letters and digits)",
                    );
                }
                self.child.id = Some(self.hasher.hash_one(v));
                self.child.id_line = line;
            }
            Leaf::Upn => {
                let b = v.as_bytes();
                let ok = b.len() == 13
                    && b[0].is_ascii_alphabetic()
                    && b[1..12].iter().all(u8::is_ascii_digit)
                    && (b[12].is_ascii_digit() || b[12].is_ascii_alphabetic());
                if !ok {
                    self.problem(
                        line,
                        field,
                        "not a unique pupil number (a letter, 11 digits, and a digit or letter)",
                    );
                }
            }
            Leaf::UpnUnknown => {
                self.code(field, line, v, "UPN unknown", UPN_UNKNOWN);
            }
            Leaf::BirthDate => {
                if let (Some(d), Some(r)) = (self.date(field, line, v), self.ref_date)
                    && d > r
                {
                    self.problem(line, field, "after the census's reference date");
                }
            }
            Leaf::Date => {
                self.date(field, line, v);
            }
            Leaf::GenderCurrent => {
                self.code(field, line, v, "gender", GENDER_CURRENT);
                self.child.gender = true;
                self.child.gender_line = line;
            }
            Leaf::Sex => {
                self.code(field, line, v, "sex", SEX);
                self.child.sex = true;
                self.child.sex_line = line;
            }
            Leaf::Ethnicity => {
                self.code(field, line, v, "ethnicity", ETHNICITY);
            }
            Leaf::Disability => {
                self.code(field, line, v, "disability", DISABILITY);
            }
            Leaf::ReferralDate => {
                let d = self.date(field, line, v);
                if let Some(e) = self.child.episodes.last_mut() {
                    e.referral = d;
                    e.referral_line = line;
                }
            }
            Leaf::ReferralSource => {
                self.code(field, line, v, "referral source", REFERRAL_SOURCE);
            }
            Leaf::PrimaryNeed => {
                self.code(field, line, v, "primary need", PRIMARY_NEED);
                if let Some(e) = self.child.episodes.last_mut() {
                    e.need = true;
                }
            }
            Leaf::ClosureDate => {
                let d = self.date(field, line, v);
                if let Some(e) = self.child.episodes.last_mut() {
                    e.closure = d;
                    e.closure_seen = true;
                    e.closure_line = line;
                }
            }
            Leaf::ReasonForClosure => {
                self.code(field, line, v, "reason for closure", REASON_FOR_CLOSURE);
                if let Some(e) = self.child.episodes.last_mut() {
                    e.reason = true;
                    e.reason_line = line;
                }
            }
            Leaf::ReferralNfa => {
                let nfa = self.yes_no(field, line, v);
                if let Some(e) = self.child.episodes.last_mut() {
                    e.nfa = nfa;
                }
            }
            Leaf::YesNo => {
                self.yes_no(field, line, v);
            }
            Leaf::SpanStart => {
                self.span.start = self.date(field, line, v);
            }
            Leaf::SpanEnd => {
                self.span.end = self.date(field, line, v);
                self.span.end_line = line;
            }
            Leaf::Factor => {
                self.code(field, line, v, "factor at assessment", ASSESSMENT_FACTORS);
            }
            Leaf::CppStart => {
                let d = self.date(field, line, v);
                if let Some(p) = self.child.plans.last_mut() {
                    p.start = d;
                    p.start_line = line;
                }
            }
            Leaf::CppEnd => {
                let d = self.date(field, line, v);
                if let Some(p) = self.child.plans.last_mut() {
                    p.end = d;
                    p.end_seen = true;
                    p.end_line = line;
                }
            }
            Leaf::InitialCategory => {
                self.code(field, line, v, "category of abuse", &CATEGORIES);
            }
            Leaf::LatestCategory => {
                let latest = CATEGORIES.iter().position(|c| *c == v);
                if latest.is_none() {
                    self.problem(line, field, codes_message("category of abuse", &CATEGORIES));
                }
                if let Some(p) = self.child.plans.last_mut() {
                    p.latest = latest;
                }
            }
            Leaf::PreviousCpp => {
                let n = if v.len() <= 4 && v.bytes().all(|b| b.is_ascii_digit()) {
                    v.parse::<u32>().ok()
                } else {
                    None
                };
                if n.is_none() {
                    self.problem(line, field, "not a number of plans (0 or more)");
                }
                if let Some(p) = self.child.plans.last_mut() {
                    p.previous = n;
                }
            }
        }
    }

    /// What ending a module does: the checks that need all of it.
    fn end(&mut self, node: Node, frame: &Frame, _pos: usize) {
        match node {
            Node::CollectionDetails => {
                if let Some(r) = self.ref_date {
                    if (r.month(), r.day()) != (3, 31) {
                        self.problem(
                            self.ref_line,
                            "ReferenceDate",
                            "not 31 March: the census year ends on 31 March",
                        );
                    }
                    if let Some((y, line)) = self.year
                        && y != r.year()
                    {
                        self.problem(line, "Year", "not the year of the ReferenceDate");
                    }
                }
            }
            Node::Identifiers => self.identifiers_end(frame.line),
            Node::Details => self.details_end(),
            Node::Plan => self.plan_end(),
            Node::Assessment => {
                if let (Some(s), Some(e)) = (self.span.start, self.span.end)
                    && e < s
                {
                    self.problem(
                        self.span.end_line,
                        "AssessmentAuthorisationDate",
                        "before the AssessmentActualStartDate",
                    );
                }
            }
            Node::CinPlan => {
                if let (Some(s), Some(e)) = (self.span.start, self.span.end)
                    && e < s
                {
                    self.problem(
                        self.span.end_line,
                        "CINPlanEndDate",
                        "before the CINPlanStartDate",
                    );
                }
            }
            Node::Child => self.child_end(),
            _ => {}
        }
    }

    fn identifiers_end(&mut self, line: usize) {
        let (sex, gender) = (self.child.sex, self.child.gender);
        match self.ref_date.map(|d| d.year() >= 2025) {
            Some(true) => {
                if !sex {
                    self.problem(
                        line,
                        "Sex",
                        "missing: from the 2024 to 2025 census a child's <Sex> (M, F or U) \
                         replaces <GenderCurrent>",
                    );
                }
                if gender {
                    self.problem(
                        self.child.gender_line,
                        "GenderCurrent",
                        "not in this census: from 2024 to 2025 it is <Sex>",
                    );
                }
            }
            Some(false) => {
                if !gender {
                    self.problem(
                        line,
                        "GenderCurrent",
                        "missing: <ChildIdentifiers> needs one",
                    );
                }
                if sex {
                    self.problem(
                        self.child.sex_line,
                        "Sex",
                        "not in this census: <Sex> replaces <GenderCurrent> from the 2024 to \
                         2025 census",
                    );
                }
            }
            None => {
                if !sex && !gender {
                    self.problem(line, "Sex", "missing: <ChildIdentifiers> needs one");
                }
            }
        }
    }

    fn details_end(&mut self) {
        let Some(e) = self.child.episodes.last().copied() else {
            return;
        };
        if let (Some(r), Some(end)) = (e.referral, self.ref_date)
            && r > end
        {
            self.problem(
                e.referral_line,
                "CINreferralDate",
                "after the census's reference date",
            );
        }
        if let Some(c) = e.closure {
            if let Some(r) = e.referral
                && c < r
            {
                self.problem(
                    e.closure_line,
                    "CINclosureDate",
                    "before the CINreferralDate",
                );
            }
            if let Some(end) = self.ref_date
                && (c < year_start(end) || c > end)
            {
                self.problem(
                    e.closure_line,
                    "CINclosureDate",
                    "not in the census year (1 April to the reference date)",
                );
            }
        }
        if e.closure_seen && !e.reason {
            self.problem(
                e.closure_line,
                "ReasonForClosure",
                "missing: a closed case gives its reason for closure",
            );
        }
        if e.reason && !e.closure_seen {
            self.problem(
                e.reason_line,
                "CINclosureDate",
                "missing: a reason for closure needs the closure date",
            );
        }
        if e.nfa == Some(false) && !e.need {
            self.problem(
                e.line,
                "PrimaryNeedCode",
                "missing: a referral that led to further action gives its primary need",
            );
        }
    }

    fn plan_end(&mut self) {
        let Some(p) = self.child.plans.last().copied() else {
            return;
        };
        let referral = self.child.episodes.get(p.episode).and_then(|e| e.referral);
        if let Some(s) = p.start {
            if let Some(end) = self.ref_date
                && s > end
            {
                self.problem(
                    p.start_line,
                    "CPPstartDate",
                    "after the census's reference date",
                );
            }
            if let Some(r) = referral
                && s < r
            {
                self.problem(
                    p.start_line,
                    "CPPstartDate",
                    "before the CINreferralDate of its <CINdetails>",
                );
            }
        }
        if let Some(e) = p.end {
            if let Some(s) = p.start
                && e < s
            {
                self.problem(p.end_line, "CPPendDate", "before the CPPstartDate");
            }
            if let Some(end) = self.ref_date
                && (e < year_start(end) || e > end)
            {
                self.problem(
                    p.end_line,
                    "CPPendDate",
                    "not in the census year (1 April to the reference date)",
                );
            }
        }
    }

    fn child_end(&mut self) {
        if let Some(id) = self.child.id
            && !self.ids.insert(id)
        {
            self.problem(
                self.child.id_line,
                "LAchildID",
                "the same LAchildID as an earlier child",
            );
        }
        let mut open = self
            .child
            .plans
            .iter()
            .filter(|p| p.start.is_some() && !p.end_seen)
            .skip(1);
        if let Some(second) = open.next() {
            let line = second.start_line;
            self.problem(
                line,
                "CPPendDate",
                "a second child protection plan with no end date for this child: one can be open",
            );
        }
        let Some(r) = self.ref_date else {
            return;
        };
        let ys = year_start(r);
        let c = &mut self.counts;

        self.dates.clear();
        self.dates
            .extend(self.child.episodes.iter().filter_map(|e| e.referral));
        self.dates.sort_unstable();
        for (i, &d) in self.dates.iter().enumerate() {
            if d < ys || d > r {
                continue;
            }
            c.referrals += 1;
            let previous = self.dates[..i].iter().rev().find(|&&p| p < d);
            if let Some(&p) = previous
                && p.checked_add_months(Months::new(12))
                    .is_some_and(|limit| d <= limit)
            {
                c.re_referrals += 1;
            }
        }

        let in_need = self
            .child
            .episodes
            .iter()
            .any(|e| e.referral.is_some_and(|d| d <= r) && e.closure.is_none_or(|d| d > r));
        if in_need {
            c.in_need += 1;
        }

        let earliest = self.child.plans.iter().filter_map(|p| p.start).min();
        for p in &self.child.plans {
            let Some(s) = p.start else {
                continue;
            };
            if s <= r && p.end.is_none_or(|e| e > r) {
                c.plans_at_date += 1;
                if let Some(k) = p.latest {
                    c.by_category[k] += 1;
                }
            }
            if s >= ys && s <= r {
                c.plans_started += 1;
                if p.previous.is_some_and(|n| n > 0) || earliest.is_some_and(|e| e < s) {
                    c.plans_started_with_previous += 1;
                }
            }
        }
    }

    fn finish(mut self) -> Result<CinFigures, Vec<ReturnProblem>> {
        if !self.stopped {
            if !self.root_seen {
                self.problem(0, "", "the file has no XML elements: it is not a census");
            } else if let Some(open) = self.stack.last() {
                let name = open.name;
                let end = self.last_line;
                self.problem(
                    end,
                    "",
                    format!("malformed XML: the file ends before <{name}> is closed"),
                );
            }
        }
        let reference_date = match self.ref_date {
            Some(d) if self.problems.is_empty() => d,
            _ => {
                if self.problems.is_empty() {
                    self.problem(
                        0,
                        "ReferenceDate",
                        "missing: the header has no reference date",
                    );
                }
                return Err(self.problems.finish());
            }
        };
        let c = self.counts;
        let cp_by_category = CATEGORIES
            .iter()
            .zip(c.by_category)
            .map(|(k, n)| ((*k).to_string(), n))
            .collect();
        Ok(CinFigures {
            reference_date,
            children: c.children,
            referrals_12_months: c.referrals,
            re_referrals_12_months: c.re_referrals,
            children_in_need_at_date: c.in_need,
            cp_plans_at_date: c.plans_at_date,
            cp_by_category,
            cp_started_12_months: c.plans_started,
            cp_started_with_previous_plan: c.plans_started_with_previous,
        })
    }
}

/// A parser's words or a name from the file, cut short for a problem.
fn short(s: &str) -> String {
    const MOST: usize = 120;
    if s.chars().count() <= MOST {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(MOST).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One `<CINdetails>`: referral, closure (date and reason), NFA, and its plans.
    struct Ep<'a> {
        referral: &'a str,
        closure: Option<(&'a str, &'a str)>,
        nfa: bool,
        plans: Vec<Pl<'a>>,
    }

    /// One plan: start, end, latest category, NumberOfPreviousCPP.
    struct Pl<'a>(&'a str, Option<&'a str>, &'a str, u32);

    fn ep<'a>(
        referral: &'a str,
        closure: Option<(&'a str, &'a str)>,
        plans: Vec<Pl<'a>>,
    ) -> Ep<'a> {
        Ep {
            referral,
            closure,
            nfa: false,
            plans,
        }
    }

    fn child(id: &str, sex: &str, episodes: &[Ep<'_>]) -> String {
        let mut s = format!(
            "<Child>\n<ChildIdentifiers>\n<LAchildID>{id}</LAchildID>\n<UPN>A123456789012</UPN>\n\
             <PersonBirthDate>2015-06-01</PersonBirthDate>\n{sex}\n</ChildIdentifiers>\n\
             <ChildCharacteristics>\n<Ethnicity>WBRI</Ethnicity>\n<Disabilities><Disability>NONE</Disability></Disabilities>\n\
             </ChildCharacteristics>\n"
        );
        for e in episodes {
            s.push_str("<CINdetails>\n");
            s.push_str(&format!(
                "<CINreferralDate>{}</CINreferralDate>\n",
                e.referral
            ));
            s.push_str("<ReferralSource>2A</ReferralSource>\n");
            if !e.nfa {
                s.push_str("<PrimaryNeedCode>N1</PrimaryNeedCode>\n");
            }
            if let Some((date, reason)) = e.closure {
                s.push_str(&format!(
                    "<CINclosureDate>{date}</CINclosureDate>\n<ReasonForClosure>{reason}</ReasonForClosure>\n"
                ));
            }
            if !e.nfa {
                s.push_str(&format!(
                    "<Assessments>\n<AssessmentActualStartDate>{r}</AssessmentActualStartDate>\n\
                     <FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment>\n\
                     </Assessments>\n",
                    r = e.referral
                ));
            }
            s.push_str(&format!(
                "<ReferralNFA>{}</ReferralNFA>\n",
                if e.nfa { "true" } else { "false" }
            ));
            for Pl(start, end, latest, previous) in &e.plans {
                s.push_str(&format!(
                    "<ChildProtectionPlans>\n<CPPstartDate>{start}</CPPstartDate>\n"
                ));
                if let Some(end) = end {
                    s.push_str(&format!("<CPPendDate>{end}</CPPendDate>\n"));
                }
                s.push_str(&format!(
                    "<InitialCategoryOfAbuse>{latest}</InitialCategoryOfAbuse>\n\
                     <LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>\n\
                     <NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>\n</ChildProtectionPlans>\n"
                ));
            }
            s.push_str("</CINdetails>\n");
        }
        s.push_str("</Child>\n");
        s
    }

    fn census(reference: &str, children: &[String]) -> String {
        let year = &reference[..4];
        let mut s = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message>\n<Header>\n<CollectionDetails>\n\
             <Collection>CIN</Collection>\n<Year>{year}</Year>\n<ReferenceDate>{reference}</ReferenceDate>\n\
             </CollectionDetails>\n<Source>\n<SourceLevel>L</SourceLevel>\n<LEA>879</LEA>\n\
             <SoftwareCode>Test</SoftwareCode>\n<Release>1</Release>\n<SerialNo>001</SerialNo>\n\
             <DateTime>2025-05-01T09:00:00</DateTime>\n</Source>\n</Header>\n<Children>\n"
        );
        for c in children {
            s.push_str(c);
        }
        s.push_str("</Children>\n</Message>\n");
        s
    }

    const SEX: &str = "<Sex>F</Sex>";

    /// The census of the counts test: reference date 31 March 2025, so the census year runs
    /// from 1 April 2024.
    fn hand_census() -> String {
        let children = [
            // A: referred 10/04/2024 (closed 30/06/2024) and again 15/01/2025, within 12
            // months: 2 referrals, 1 re-referral, in need at the date (open), a plan started
            // 01/02/2025 and open (SAB), no previous plan.
            child(
                "A1",
                SEX,
                &[
                    ep("2024-04-10", Some(("2024-06-30", "RC7")), vec![]),
                    ep("2025-01-15", None, vec![Pl("2025-02-01", None, "SAB", 0)]),
                ],
            ),
            // B: referred 01/09/2023 (before the year; closed 20/04/2024) and again
            // 02/09/2024, one day more than 12 months later: 1 referral in the year, no
            // re-referral; closed on the reference date itself, so not in need at it.
            child(
                "B1",
                SEX,
                &[
                    ep("2023-09-01", Some(("2024-04-20", "RC8")), vec![]),
                    ep("2024-09-02", Some(("2025-03-31", "RC7")), vec![]),
                ],
            ),
            // C: referred 15/06/2023 (closed 01/05/2024) with a plan 01/07/2023 to 30/04/2024
            // (EMO), and again 15/06/2024, exactly 12 months later (a re-referral), with a plan
            // from 01/07/2024 still open (NEG): 1 referral, 1 re-referral, in need, a plan at
            // the date, a plan started in the year for a child with an earlier plan.
            child(
                "C1",
                SEX,
                &[
                    ep(
                        "2023-06-15",
                        Some(("2024-05-01", "RC7")),
                        vec![Pl("2023-07-01", Some("2024-04-30"), "EMO", 0)],
                    ),
                    ep("2024-06-15", None, vec![Pl("2024-07-01", None, "NEG", 0)]),
                ],
            ),
            // D: referred 01/10/2024, open; a plan from 01/11/2024 that ended on 30/03/2025,
            // the day before the date (PHY, 2 previous plans): 1 referral, in need, no plan at
            // the date, a plan started in the year with a previous plan.
            child(
                "D1",
                SEX,
                &[ep(
                    "2024-10-01",
                    None,
                    vec![Pl("2024-11-01", Some("2025-03-30"), "PHY", 2)],
                )],
            ),
            // E: referred 10/01/2022, open; a plan from 01/02/2022, open (MUL): no referral in
            // the year, in need, a plan at the date.
            child(
                "E1",
                SEX,
                &[ep(
                    "2022-01-10",
                    None,
                    vec![Pl("2022-02-01", None, "MUL", 0)],
                )],
            ),
            // F: a referral on 12/12/2024 with no further action, closed that day: 1 referral,
            // not in need at the date.
            child(
                "F1",
                SEX,
                &[Ep {
                    referral: "2024-12-12",
                    closure: Some(("2024-12-12", "RC8")),
                    nfa: true,
                    plans: vec![],
                }],
            ),
        ];
        census("2025-03-31", &children)
    }

    fn problems_of(xml: &str) -> Vec<ReturnProblem> {
        read_cin("census.xml", xml.as_bytes()).expect_err("the census has problems")
    }

    fn line_of(xml: &str, needle: &str) -> usize {
        let at = xml.find(needle).expect("the needle is in the census");
        super::super::line_at(xml.as_bytes(), at)
    }

    #[test]
    fn returns_cin_counts_a_hand_counted_census() {
        let figures = read_cin("census.xml", hand_census().as_bytes()).expect("a good census");
        // Counted by hand from the comments in hand_census: referrals A 2, B 1, C 1, D 1, F 1;
        // re-referrals A and C; in need A, C, D, E; plans at the date A (SAB), C (NEG), E (MUL);
        // started in the year A, C, D; with a previous plan C (earlier plan), D (2 previous).
        assert_eq!(
            figures.reference_date,
            NaiveDate::from_ymd_opt(2025, 3, 31).expect("a date")
        );
        assert_eq!(figures.children, 6);
        assert_eq!(figures.referrals_12_months, 6);
        assert_eq!(figures.re_referrals_12_months, 2);
        assert_eq!(figures.children_in_need_at_date, 4);
        assert_eq!(figures.cp_plans_at_date, 3);
        let by: Vec<(&str, i64)> = figures
            .cp_by_category
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(
            by,
            vec![("EMO", 0), ("MUL", 1), ("NEG", 1), ("PHY", 0), ("SAB", 1)]
        );
        assert_eq!(figures.cp_started_12_months, 3);
        assert_eq!(figures.cp_started_with_previous_plan, 2);
    }

    #[test]
    fn returns_cin_re_referral_within_12_months_and_just_outside() {
        let one = |second: &str| {
            let xml = census(
                "2025-03-31",
                &[child(
                    "R1",
                    SEX,
                    &[
                        ep("2024-04-02", Some(("2024-05-01", "RC7")), vec![]),
                        ep(second, None, vec![]),
                    ],
                )],
            );
            read_cin("census.xml", xml.as_bytes()).expect("a good census")
        };
        // 12 months after 02/04/2024 is 02/04/2025: after the date, so take an earlier pair.
        let within = one("2025-03-01");
        assert_eq!(
            (within.referrals_12_months, within.re_referrals_12_months),
            (2, 1)
        );
        let xml = census(
            "2025-03-31",
            &[child(
                "R2",
                SEX,
                &[
                    ep("2023-05-10", Some(("2024-04-02", "RC7")), vec![]),
                    ep("2024-05-11", None, vec![]),
                ],
            )],
        );
        let outside = read_cin("census.xml", xml.as_bytes()).expect("a good census");
        assert_eq!(
            (outside.referrals_12_months, outside.re_referrals_12_months),
            (1, 0)
        );
        let xml = census(
            "2025-03-31",
            &[child(
                "R3",
                SEX,
                &[
                    ep("2023-05-10", Some(("2024-04-02", "RC7")), vec![]),
                    ep("2024-05-10", None, vec![]),
                ],
            )],
        );
        let exactly = read_cin("census.xml", xml.as_bytes()).expect("a good census");
        assert_eq!(
            (exactly.referrals_12_months, exactly.re_referrals_12_months),
            (1, 1)
        );
    }

    #[test]
    fn returns_cin_plan_open_at_the_date_and_one_ended_the_day_before() {
        let xml = census(
            "2025-03-31",
            &[
                child(
                    "P1",
                    SEX,
                    &[ep(
                        "2024-06-01",
                        None,
                        vec![Pl("2024-07-01", None, "NEG", 0)],
                    )],
                ),
                child(
                    "P2",
                    SEX,
                    &[ep(
                        "2024-06-01",
                        None,
                        vec![Pl("2024-07-01", Some("2025-03-30"), "NEG", 0)],
                    )],
                ),
                child(
                    "P3",
                    SEX,
                    &[ep(
                        "2024-06-01",
                        None,
                        vec![Pl("2024-07-01", Some("2025-03-31"), "EMO", 0)],
                    )],
                ),
            ],
        );
        let f = read_cin("census.xml", xml.as_bytes()).expect("a good census");
        assert_eq!(
            f.cp_plans_at_date, 1,
            "ended on 30 or 31 March is not open at 31 March"
        );
        assert_eq!(f.cp_by_category.get("NEG"), Some(&1));
        assert_eq!(f.cp_by_category.get("EMO"), Some(&0));
        assert_eq!(f.cp_started_12_months, 3);
    }

    #[test]
    fn returns_cin_an_earlier_census_reads_gender_current() {
        let xml = census(
            "2024-03-31",
            &[child(
                "G1",
                "<GenderCurrent>2</GenderCurrent>",
                &[ep("2023-06-01", None, vec![])],
            )],
        );
        let f = read_cin("census.xml", xml.as_bytes()).expect("a 2023 to 2024 census");
        assert_eq!(f.children_in_need_at_date, 1);
        // The same child in a 2024 to 2025 census lacks <Sex>.
        let xml = census(
            "2025-03-31",
            &[child(
                "G1",
                "<GenderCurrent>2</GenderCurrent>",
                &[ep("2024-06-01", None, vec![])],
            )],
        );
        let problems = problems_of(&xml);
        assert!(
            problems
                .iter()
                .any(|p| p.field == "Sex" && p.message.starts_with("missing"))
        );
        assert!(problems.iter().any(|p| p.field == "GenderCurrent"));
    }

    #[test]
    fn returns_cin_refuses_a_doctype_with_entities() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n\
                      <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n\
                      <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n\
                      <Message>&lol3;</Message>\n";
        let problems = problems_of(laughs);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 2);
        assert!(problems[0].message.contains("DOCTYPE"), "{}", problems[0]);
        let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE Message [<!ENTITY xxe SYSTEM \
                        \"file:///etc/passwd\">]>\n<Message><Header>&xxe;</Header></Message>";
        let problems = problems_of(external);
        assert!(problems[0].message.contains("DOCTYPE"), "{}", problems[0]);
        // Without a DTD an entity reference is not understood either.
        let bare = "<Message>\n<Header>&xxe;</Header></Message>";
        let problems = problems_of(bare);
        assert!(
            problems[0].message.contains("entity reference"),
            "{}",
            problems[0]
        );
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn returns_cin_refuses_malformed_xml_with_its_line() {
        let good = hand_census();
        let broken = good.replacen("</CPPstartDate>", "</CPPstart>", 1);
        let problems = problems_of(&broken);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.starts_with("malformed XML"),
            "{}",
            problems[0]
        );
        assert_eq!(problems[0].line, line_of(&broken, "</CPPstart>"));
        let cut = &good[..good.len() / 2];
        let problems = problems_of(cut);
        assert!(
            problems
                .iter()
                .any(|p| p.message.starts_with("malformed XML")),
            "{problems:?}"
        );
        let two_roots = "<Message></Message>\n<Message></Message>";
        assert!(
            problems_of(two_roots)
                .iter()
                .any(|p| p.message.contains("second root"))
        );
        let not_xml = "CHILD,SEX,DOB\n1,M,01/01/2015\n";
        let problems = problems_of(not_xml);
        assert!(!problems.is_empty());
    }

    #[test]
    fn returns_cin_refuses_a_file_that_is_not_utf8() {
        let latin1 = hand_census().replace("<Release>1</Release>", "<Release>caf\u{e9}</Release>");
        let mut bytes = latin1.into_bytes();
        // Write the é as Latin-1 (one byte) rather than UTF-8 (two).
        let at = bytes
            .windows(2)
            .position(|w| w == [0xC3, 0xA9])
            .expect("the é");
        bytes.splice(at..at + 2, [0xE9]);
        let problems = read_cin("census.xml", &bytes).expect_err("latin-1");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.starts_with("the file is not UTF-8"),
            "{}",
            problems[0]
        );
        assert_eq!(problems[0].line, line_of(&hand_census(), "<Release>"));
        let declared = hand_census()
            .replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
            .replace("<Release>1</Release>", "<Release>caf\u{e9}</Release>");
        let problems = problems_of(&declared);
        assert!(problems[0].message.contains("not UTF-8"), "{}", problems[0]);
        // An ASCII file declared as Latin-1 reads the same either way.
        let ascii = hand_census().replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
        assert!(read_cin("census.xml", ascii.as_bytes()).is_ok());
    }

    #[test]
    fn returns_cin_refuses_too_large_and_too_deep() {
        let good = hand_census();
        let problems =
            read_cin_within("census.xml", good.as_bytes(), 100).expect_err("over the limit");
        assert!(
            problems[0].message.contains("more than the 100 read"),
            "{}",
            problems[0]
        );
        let deep = format!(
            "<Message>{}{}</Message>",
            "<a>".repeat(10_000),
            "</a>".repeat(10_000)
        );
        let problems = problems_of(&deep);
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("nested more than")),
            "{problems:?}"
        );
        assert!(problems.len() <= 3, "{problems:?}");
    }

    #[test]
    fn returns_cin_reports_a_bad_date_and_an_unknown_code_with_their_lines() {
        let good = hand_census();
        let bad = good
            .replacen("<CPPstartDate>2025-02-01", "<CPPstartDate>2025-02-30", 1)
            .replacen(
                "<LatestCategoryOfAbuse>NEG",
                "<LatestCategoryOfAbuse>XXX",
                1,
            )
            .replacen(
                "<ReferralSource>2A",
                "<ReferralSource>=cmd|' /C calc'!A0",
                1,
            );
        let problems = problems_of(&bad);
        let date = problems
            .iter()
            .find(|p| p.field == "CPPstartDate")
            .expect("the bad date");
        assert_eq!(date.line, line_of(&bad, "2025-02-30"));
        assert!(date.message.starts_with("not a date"), "{date}");
        assert_eq!(
            date.to_string(),
            format!(
                "census.xml, line {}, CPPstartDate: not a date (the census writes yyyy-mm-dd)",
                date.line
            )
        );
        let code = problems
            .iter()
            .find(|p| p.field == "LatestCategoryOfAbuse")
            .expect("the unknown code");
        assert_eq!(code.line, line_of(&bad, "XXX"));
        assert!(
            code.message.contains("not a category of abuse code"),
            "{code}"
        );
        assert!(code.message.contains("NEG, PHY, SAB, EMO, MUL"), "{code}");
        let formula = problems
            .iter()
            .find(|p| p.field == "ReferralSource")
            .expect("the formula");
        assert!(
            formula.message.contains("not a referral source code"),
            "{formula}"
        );
        // No problem repeats a value from the file.
        let all = format!("{problems:?}");
        assert!(!all.contains("2025-02-30") && !all.contains("XXX") && !all.contains("calc"));
    }

    #[test]
    fn returns_cin_checks_structure_and_logic() {
        let good = hand_census();
        let bad = good
            .replacen("<ReferralNFA>false</ReferralNFA>\n", "", 1)
            .replacen(
                "<Ethnicity>WBRI</Ethnicity>",
                "<Ethnicity>WBRI</Ethnicity><Nickname>x</Nickname>",
                1,
            )
            .replacen(
                "<CINclosureDate>2024-06-30",
                "<CINclosureDate>2024-04-01",
                1,
            )
            .replacen("<CPPendDate>2025-03-30", "<CPPendDate>2024-10-01", 1)
            .replacen("<LAchildID>B1", "<LAchildID>A1", 1);
        let problems = problems_of(&bad);
        let has = |field: &str, text: &str| {
            problems
                .iter()
                .any(|p| p.field == field && p.message.contains(text))
        };
        assert!(has("ReferralNFA", "missing"), "{problems:?}");
        assert!(
            has("ChildCharacteristics", "<Nickname> is not an element"),
            "{problems:?}"
        );
        assert!(
            has("CINclosureDate", "before the CINreferralDate"),
            "{problems:?}"
        );
        assert!(has("CPPendDate", "before the CPPstartDate"), "{problems:?}");
        assert!(has("LAchildID", "the same LAchildID"), "{problems:?}");
        // No identifier or date of birth is in any problem.
        let all = format!("{problems:?}");
        assert!(!all.contains("A1") && !all.contains("2015-06-01"), "{all}");
    }

    #[test]
    fn returns_cin_never_panics_on_mangled_input() {
        let good = hand_census().into_bytes();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let specials: &[u8] = b"<>&;/!?[]\"'=\n\xff\xc3\x00-#x";
        for _ in 0..1500 {
            let mut bytes = good.clone();
            let edits = 1 + next() % 6;
            for _ in 0..edits {
                if bytes.is_empty() {
                    break;
                }
                let at = (next() as usize) % bytes.len();
                match next() % 4 {
                    0 => bytes[at] = specials[(next() as usize) % specials.len()],
                    1 => {
                        bytes.remove(at);
                    }
                    2 => bytes.truncate(at.max(1)),
                    _ => {
                        let len = ((next() as usize) % 40).min(bytes.len() - at);
                        let piece = bytes[at..at + len].to_vec();
                        bytes.splice(at..at, piece);
                    }
                }
            }
            let _ = read_cin("census.xml", &bytes);
        }
    }
}
