//! Who may do what: the one place the permission rules live. Every route names the permission
//! it needs (the route type in `state.rs`); the middleware in [`crate::web::enforce`] checks it before
//! the handler runs, and the route-table test walks every route with every role.

use crate::web::identity::Role;
use crate::web::viewer::Viewer;

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Anyone, with or without an account.
    Public,
    /// Anyone signed in, in any partnership or none (their own account pages).
    Account,
    /// Someone part-way through signing in who must set up two-factor first, or anyone signed in.
    TwoFactorSetup,
    /// Anyone with a role in the partnership they are working in.
    Partnership,
    /// The partnership's governance: its bodies' members, the independent scrutineer and the
    /// business unit (meeting schedules and deadlines; not practitioners).
    Governance,
    /// The business unit: people, invitations, settings, the outbox.
    ManagePartnership,
    /// Read every record of the partnership and the audit trail: the business unit and the
    /// independent scrutineer.
    ReadAll,
    /// The host: create partnerships, invite their first administrators.
    ManageHost,
}

impl Permission {
    /// Whether a signed-in person (or the public, when `viewer` has no user) may.
    pub fn allows(self, viewer: &Viewer) -> bool {
        let role = viewer.role();
        match self {
            Permission::Public => true,
            Permission::Account => viewer.user.is_some(),
            Permission::TwoFactorSetup => viewer.user.is_some() || viewer.enrolling.is_some(),
            Permission::Partnership => role.is_some(),
            Permission::Governance => matches!(
                role,
                Some(Role::PartnershipAdmin | Role::Scrutineer | Role::Member)
            ),
            Permission::ManagePartnership => role == Some(Role::PartnershipAdmin),
            Permission::ReadAll => matches!(role, Some(Role::PartnershipAdmin | Role::Scrutineer)),
            Permission::ManageHost => viewer.user.as_ref().is_some_and(|u| u.is_system_admin),
        }
    }
}
