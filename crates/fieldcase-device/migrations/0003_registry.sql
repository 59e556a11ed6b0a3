-- The certificate registry copy, the bureau keys it is verified with, officer sign-in, and
-- the highest laptop time seen (to notice a clock set back).

-- Bureau keys this device trusts: the one pinned at enrollment, and each one a trusted key
-- vouched for in a rotation.
CREATE TABLE bureau_keys (
    key_id      TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    trusted_at  TEXT NOT NULL
);

CREATE TABLE registry_meta (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    version      INTEGER NOT NULL,
    issued_at    TEXT NOT NULL,
    received_at  TEXT NOT NULL
);

CREATE TABLE registry_certificates (
    number  TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    body    TEXT NOT NULL
);

CREATE TABLE registry_officers (
    officer_id    TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    pin_verifier  TEXT
);

-- Who is signed in on this device, if anyone.
CREATE TABLE session (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    officer_id    TEXT NOT NULL,
    signed_in_at  TEXT NOT NULL
);

CREATE TABLE signin_failures (
    officer_id    TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    locked_until  TEXT
);

ALTER TABLE sync_state ADD COLUMN max_local_time TEXT;
