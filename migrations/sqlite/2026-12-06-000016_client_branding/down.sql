DROP TABLE client_branding;
