-- How each evidence file's upload to the bureau stands. A file without a row has not been
-- touched by the upload agent yet: "imported" until its reference is pushed, then "queued".
-- The row is the agent's memory across restarts: the bureau's address of the upload in
-- progress (a tus upload), how far the bureau said it had got, and what the bureau decided.
CREATE TABLE evidence_uploads (
    evidence_id   TEXT PRIMARY KEY REFERENCES evidence_refs (id),
    state         TEXT NOT NULL
                  CHECK (state IN ('queued', 'uploading', 'uploaded', 'verified', 'damaged', 'mismatch')),
    -- The officer paused it: the agent leaves it alone until resumed.
    paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    -- The upload's address at the bureau (relative to the bureau's), while one is open.
    upload_url    TEXT,
    -- The bytes the bureau holds, as it last said.
    sent_bytes    INTEGER NOT NULL DEFAULT 0,
    -- Why it is damaged or mismatched, or the last failure, in plain words.
    problem       TEXT,
    -- When the bureau verified it (the file may then be deleted from the recorder).
    verified_at   TEXT,
    updated_at    TEXT NOT NULL
);
CREATE INDEX evidence_uploads_state ON evidence_uploads (state);
