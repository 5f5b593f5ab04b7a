//! Who someone is, as every request needs to know: their account, their places in
//! partnerships and their role in each. The types live here, below every capability, because
//! the plumbing (the viewer, permissions, the page shell) needs them; `accounts` stores them
//! and signs people in.

use chrono::{DateTime, Utc};

crate::states! {
    /// What a person may do in a partnership. The host's system administrator is a flag on the
    /// account, not a role in a partnership.
    pub enum Role as "a role" {
        /// The business unit: runs the partnership's records.
        PartnershipAdmin = "partnership-admin",
        /// Reads everything in the partnership; cannot vote or edit.
        Scrutineer = "scrutineer",
        /// A member of one or more of the partnership's bodies; rights come through membership.
        Member = "member",
        /// A registered person of an agency: books training, answers requests.
        Practitioner = "practitioner",
    }
}

impl Role {
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

crate::record! {
    /// A person's account as others may see it (no secrets: this is also what the audit trail
    /// keeps). Read from `users u`.
    #[derive(Clone, Debug)]
    pub struct User {
        pub id: i64 => "u.id",
        pub email: String => "u.email",
        pub name: String => "u.name",
        pub is_system_admin: bool => "u.is_system_admin",
        pub disabled: bool => "u.disabled",
        pub has_password: bool => "(u.password_hash IS NOT NULL)",
        pub two_factor: bool => "(u.totp_secret IS NOT NULL)",
        pub version: i64 => "u.version",
        pub updated_at: DateTime<Utc> => "u.updated_at",
        pub updated_by: String => "u.updated_by",
    }
}

crate::record! {
    /// A person's place in a partnership. Read from `memberships m JOIN partnerships p`, beside
    /// the person's account, hence the columns' own names.
    #[derive(Clone, Debug)]
    pub struct Membership {
        pub id: i64 => "m.id" as "m_id",
        pub partnership_id: i64 => "m.partnership_id" as "m_partnership_id",
        pub partnership_name: String => "p.name" as "p_name",
        pub partnership_slug: String => "p.slug" as "p_slug",
        pub user_id: i64 => "m.user_id" as "m_user_id",
        pub role: Role => "m.role" as "m_role",
        pub organisation: String => "m.organisation" as "m_organisation",
        pub version: i64 => "m.version" as "m_version",
        pub updated_at: DateTime<Utc> => "m.updated_at" as "m_updated_at",
        pub updated_by: String => "m.updated_by" as "m_updated_by",
    }
}
