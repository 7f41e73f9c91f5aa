//! The `client_branding` table: an application's branding, and its logo bytes (read only when
//! the logo itself is served).

use diesel::prelude::*;

use super::schema::client_branding;
use super::{AnyConnection, StoreError};
use crate::domain::branding::{Branding, BrandingChange, LogoChange, LogoKind, LogoRef, Rgb};

/// Everything but the logo's bytes.
#[derive(Queryable, Selectable)]
#[diesel(table_name = client_branding)]
struct BrandingRow {
    display_name: Option<String>,
    accent: Option<String>,
    privacy_url: Option<String>,
    terms_url: Option<String>,
    logo_content_type: Option<String>,
    logo_sha256: Option<String>,
}

impl BrandingRow {
    fn into_branding(self) -> Result<Branding, StoreError> {
        let accent = self
            .accent
            .map(|a| Rgb::parse(&a).map_err(StoreError::Corrupt))
            .transpose()?;
        let logo = match (self.logo_content_type, self.logo_sha256) {
            (Some(content_type), Some(sha256)) => Some(LogoRef {
                kind: logo_kind(&content_type)?,
                sha256,
            }),
            _ => None,
        };
        Ok(Branding {
            display_name: self.display_name,
            accent,
            privacy_url: self.privacy_url,
            terms_url: self.terms_url,
            logo,
        })
    }
}

fn logo_kind(content_type: &str) -> Result<LogoKind, StoreError> {
    LogoKind::from_content_type(content_type)
        .ok_or_else(|| StoreError::Corrupt(format!("logo content type {content_type:?}")))
}

/// The texts of a branding row.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = client_branding, treat_none_as_null = true)]
struct TextColumns {
    display_name: Option<String>,
    accent: Option<String>,
    privacy_url: Option<String>,
    terms_url: Option<String>,
    updated_at: i64,
}

/// The logo columns, all set or all empty.
#[derive(AsChangeset, Queryable, Selectable)]
#[diesel(table_name = client_branding, treat_none_as_null = true)]
struct LogoRow {
    logo: Option<Vec<u8>>,
    logo_content_type: Option<String>,
    logo_sha256: Option<String>,
}

/// The branding of `client_id`; `None` when it has never been set.
pub fn find_branding(
    conn: &mut AnyConnection,
    client_id: &str,
) -> Result<Option<Branding>, StoreError> {
    client_branding::table
        .find(client_id)
        .select(BrandingRow::as_select())
        .first(conn)
        .optional()?
        .map(BrandingRow::into_branding)
        .transpose()
}

/// A served logo: its kind, bytes and SHA-256.
pub struct StoredLogo {
    pub kind: LogoKind,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// The logo of `client_id`, if it has one.
pub fn find_logo(
    conn: &mut AnyConnection,
    client_id: &str,
) -> Result<Option<StoredLogo>, StoreError> {
    let row: Option<LogoRow> = client_branding::table
        .find(client_id)
        .select(LogoRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(LogoRow {
            logo: Some(bytes),
            logo_content_type: Some(content_type),
            logo_sha256: Some(sha256),
        }) => Ok(Some(StoredLogo {
            kind: logo_kind(&content_type)?,
            bytes,
            sha256,
        })),
        _ => Ok(None),
    }
}

/// Stores `change` as the branding of `client_id` (creating its row), in one transaction.
pub fn save_branding(
    conn: &mut AnyConnection,
    client_id: &str,
    change: &BrandingChange,
    now: i64,
) -> Result<(), StoreError> {
    let texts = TextColumns {
        display_name: change.display_name.clone(),
        accent: change.accent.map(|a| a.to_string()),
        privacy_url: change.privacy_url.clone(),
        terms_url: change.terms_url.clone(),
        updated_at: now,
    };
    let logo = match &change.logo {
        LogoChange::Keep => None,
        LogoChange::Remove => Some(LogoRow {
            logo: None,
            logo_content_type: None,
            logo_sha256: None,
        }),
        LogoChange::Replace(logo) => Some(LogoRow {
            logo: Some(logo.bytes.clone()),
            logo_content_type: Some(logo.kind.content_type().to_owned()),
            logo_sha256: Some(logo.sha256.clone()),
        }),
    };
    conn.transaction(|conn| {
        let row = client_branding::table.find(client_id);
        // No upsert in the SQL both backends share: update, else insert.
        if diesel::update(row).set(&texts).execute(conn)? == 0 {
            diesel::insert_into(client_branding::table)
                .values((client_branding::client_id.eq(client_id), &texts))
                .execute(conn)?;
        }
        if let Some(logo) = &logo {
            diesel::update(row).set(logo).execute(conn)?;
        }
        Ok(())
    })
}
