-- Sync with the bureau: the enrollment, the outbox of records still to push, the pull cursor
-- and what the last sync learned (the bureau's time among it).

CREATE TABLE enrollment (
    singleton          INTEGER PRIMARY KEY CHECK (singleton = 1),
    bureau_url         TEXT NOT NULL,
    token              TEXT NOT NULL,
    bureau_public_key  TEXT NOT NULL,
    enrolled_at        TEXT NOT NULL
);

-- References to records still to push, in the order they were made (a certificate check
-- before the inspection that rests on it). A row goes when the bureau has the record; a
-- conflict or rejection stays, marked, for an officer or administrator to look at.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('site', 'inspection', 'certificate_check', 'evidence')),
    record_id  TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'rejected')),
    reason     TEXT,
    UNIQUE (kind, record_id)
);

-- Records made before this migration are queued in the order they were made.
INSERT INTO outbox (kind, record_id) SELECT 'site', id FROM sites ORDER BY created_at;
INSERT INTO outbox (kind, record_id) SELECT 'certificate_check', id FROM certificate_checks ORDER BY checked_at;
INSERT INTO outbox (kind, record_id) SELECT 'inspection', id FROM inspections WHERE status = 'finalized' ORDER BY started_at;
INSERT INTO outbox (kind, record_id) SELECT 'evidence', id FROM evidence_refs;

CREATE TABLE sync_state (
    singleton            INTEGER PRIMARY KEY CHECK (singleton = 1),
    pull_cursor          INTEGER NOT NULL DEFAULT 0,
    -- The last audit entry the bureau holds.
    pushed_audit_seq     INTEGER NOT NULL DEFAULT 0,
    last_attempt_at      TEXT,
    last_success_at      TEXT,
    -- Trusted time: the bureau's clock and the laptop's at the last successful sync.
    bureau_time          TEXT,
    local_time           TEXT,
    last_error           TEXT,
    last_error_code      TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);
