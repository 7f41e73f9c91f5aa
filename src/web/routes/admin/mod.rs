//! The admin area (`/admin`): settings pages for administrators (`gatehouse user create
//! --admin`). Every handler takes the [`Admin`] extractor: anonymous visitors are sent through
//! the hosted login (which asks for their second factor like any sign-in) and land back here;
//! signed-in users without the admin role get 403. Every form is a
//! [`Csrf`](crate::web::extract::Csrf) form; every change is audit-logged with who, what and
//! before → after (never a secret).

pub mod apps;
pub mod apps_branding;
pub mod apps_form;
pub mod apps_manage;
pub mod audit;
pub mod connectors;
pub mod dashboard;
pub mod deliveries;
pub mod lockouts;
pub mod methods;
pub mod pager;
pub mod settings_form;
mod unlocks;
pub mod user_actions;
pub mod user_detail;
pub mod user_factors;
pub mod users;

use crate::flows::AppState;
use crate::web::extract::Admin;

/// The sections of the admin area, for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Applications,
    Methods,
    Connectors,
    Users,
    Lockouts,
    Audit,
    Deliveries,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Dashboard,
        Section::Applications,
        Section::Methods,
        Section::Connectors,
        Section::Users,
        Section::Lockouts,
        Section::Audit,
        Section::Deliveries,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Section::Dashboard => "/admin",
            Section::Applications => "/admin/apps",
            Section::Methods => "/admin/methods",
            Section::Connectors => "/admin/connectors",
            Section::Users => "/admin/users",
            Section::Lockouts => "/admin/lockouts",
            Section::Audit => "/admin/audit",
            Section::Deliveries => "/admin/deliveries",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Dashboard => "Dashboard",
            Section::Applications => "Applications",
            Section::Methods => "Sign-in methods",
            Section::Connectors => "Connectors",
            Section::Users => "Users",
            Section::Lockouts => "Lockouts",
            Section::Audit => "Audit log",
            Section::Deliveries => "Deliveries",
        }
    }
}

/// What every admin page's layout needs: the navigation and the admin's own identity.
pub struct Chrome {
    pub current: Section,
    pub sections: [Section; 8],
    pub admin_email: String,
    pub csrf_token: String,
}

impl Chrome {
    pub fn new(state: &AppState, admin: &Admin, current: Section) -> Chrome {
        Chrome {
            current,
            sections: Section::ALL,
            admin_email: admin.email.clone(),
            csrf_token: admin.csrf_token(state),
        }
    }
}

pub use crate::flows::audit::changes;
