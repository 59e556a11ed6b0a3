-- Administrators' tokens expire and can be revoked. A token made before this schema was
-- given a lifetime expires 90 days after the bureau learned it (not at once: what uses it
-- goes on working while its administrator makes a new one with an expiry of its own).
CREATE TABLE admin_tokens_v2 (
    token_hash  TEXT PRIMARY KEY,
    label       TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    last_used   TEXT,
    revoked_at  TEXT
) STRICT;

INSERT INTO admin_tokens_v2 (token_hash, label, created_at, expires_at, last_used)
SELECT token_hash, label, created_at, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now', '+90 days'), last_used
FROM admin_tokens;

DROP TABLE admin_tokens;
ALTER TABLE admin_tokens_v2 RENAME TO admin_tokens;
