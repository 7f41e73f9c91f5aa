DROP TABLE verifications;
DROP TABLE authenticators;
