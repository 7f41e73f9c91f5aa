-- Branding per application (issue 16): the name users see, a logo, an accent colour and links
-- to the application's privacy policy and terms. One row per branded application; none means
-- the default look. The logo is kept here (at most 100 KB, checked before it is stored) so every
-- instance serves it; its SHA-256 names it in its URL. Keep in step with the other backend's
-- migration.
CREATE TABLE client_branding (
    client_id TEXT PRIMARY KEY NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    display_name TEXT,
    accent TEXT,                            -- #rrggbb, WCAG AA contrast checked
    privacy_url TEXT,
    terms_url TEXT,
    logo BYTEA,
    logo_content_type TEXT CHECK (logo_content_type IN ('image/png', 'image/svg+xml')),
    logo_sha256 TEXT,                       -- hex
    updated_at BIGINT NOT NULL,
    CHECK ((logo IS NULL) = (logo_content_type IS NULL) AND (logo IS NULL) = (logo_sha256 IS NULL))
);
