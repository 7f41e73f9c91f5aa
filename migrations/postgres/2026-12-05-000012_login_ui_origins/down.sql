ALTER TABLE clients DROP COLUMN login_ui_origins;
