DROP TABLE approvals;
ALTER TABLE clients DROP COLUMN may_request_approvals;
