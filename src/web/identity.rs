//! Who someone is, as every request needs to know: their account, their places in
//! partnerships and their role in each. The types live here, below every capability, because
//! the plumbing (the viewer, permissions, the page shell) needs them; `accounts` stores them
//! and signs people in.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a person may do in a partnership. The host's system administrator is a flag on the
/// account, not a role in a partnership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The business unit: runs the partnership's records.
    PartnershipAdmin,
    /// Reads everything in the partnership; cannot vote or edit.
    Scrutineer,
    /// A member of one or more of the partnership's bodies; rights come through membership.
    Member,
    /// A registered person of an agency: books training, answers requests.
    Practitioner,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::PartnershipAdmin,
        Role::Scrutineer,
        Role::Member,
        Role::Practitioner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "partnership-admin",
            Role::Scrutineer => "scrutineer",
            Role::Member => "member",
            Role::Practitioner => "practitioner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "Partnership administrator (business unit)",
            Role::Scrutineer => "Independent scrutineer",
            Role::Member => "Member of a body",
            Role::Practitioner => "Practitioner",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "Runs the partnership's records, people and settings",
            Role::Scrutineer => "Reads everything in the partnership, cannot vote or edit",
            Role::Member => "Sits on the partnership's boards and groups",
            Role::Practitioner => "Works for an agency: books training and answers requests",
        }
    }

    /// Roles that can see restricted records must use two-factor authentication.
    pub fn needs_two_factor(self) -> bool {
        matches!(
            self,
            Role::PartnershipAdmin | Role::Scrutineer | Role::Member
        )
    }
}

/// A person's account as others may see it (no secrets: this is also what the audit trail keeps).
#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub is_system_admin: bool,
    pub disabled: bool,
    pub has_password: bool,
    pub two_factor: bool,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// A person's place in a partnership.
#[derive(Clone, Debug, Serialize)]
pub struct Membership {
    pub id: i64,
    pub partnership_id: i64,
    pub partnership_name: String,
    pub partnership_slug: String,
    pub user_id: i64,
    #[serde(serialize_with = "role_str")]
    pub role: Role,
    pub organisation: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

fn role_str<S: serde::Serializer>(r: &Role, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}
