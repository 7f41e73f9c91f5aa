DROP TABLE backup_codes;
