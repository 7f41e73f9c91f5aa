DROP TABLE approvals;
ALTER TABLE authz_requests DROP COLUMN approval_id;
ALTER TABLE authz_requests DROP COLUMN approval_data;
ALTER TABLE clients DROP COLUMN may_request_approvals;
