-- The origins of a client's own login UI, space-separated: a password post from one of them
-- needs no CSRF token from our form (issue 13).
ALTER TABLE clients ADD COLUMN login_ui_origins TEXT NOT NULL DEFAULT '';
