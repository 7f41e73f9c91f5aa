DROP TABLE login_tracks;
DROP TABLE verifications;
DROP TABLE authenticators;
