-- The bureau's records on PostgreSQL: the same tables, columns and rules as the SQLite schema
-- after its migrations 0001..0009 (`../sqlite/migrations/`), in PostgreSQL's types. Instants
-- are timestamptz (microseconds, as the SQLite text keeps them), except an audit entry's own
-- instant, kept as the device wrote it because its hash covers that text. Records keep the
-- JSON the device pushed as text, byte for byte (jsonb would reorder it).

-- One-time enrollment codes: only the SHA-256 of the normalized code is kept.
CREATE TABLE enrollment_codes (
    code_hash   text PRIMARY KEY,
    label       text,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    used_by     text,
    units       text NOT NULL DEFAULT '[]'
);

-- Enrolled devices: only the SHA-256 of the bearer token is kept. `label` is the code's,
-- `host_label` what the laptop calls itself; `units` a JSON array of names, sorted.
CREATE TABLE devices (
    device_id    text PRIMARY KEY,
    public_key   text NOT NULL,
    label        text,
    token_hash   text NOT NULL UNIQUE,
    enrolled_at  timestamptz NOT NULL,
    last_seen    timestamptz,
    revoked_at   timestamptz,
    host_label   text,
    units        text NOT NULL DEFAULT '[]'
);

-- The site directory, one row per unified social credit code. `source_device` is NULL for
-- sites entered at the bureau.
CREATE TABLE sites (
    id             text PRIMARY KEY,
    uscc           text NOT NULL UNIQUE,
    name           text NOT NULL,
    record         text NOT NULL,
    content_hash   text NOT NULL,
    source_device  text REFERENCES devices(device_id),
    received_at    timestamptz NOT NULL
);

-- A device's site that joined a directory site by its unified social credit code.
CREATE TABLE site_aliases (
    device_site_id  text PRIMARY KEY,
    site_id         text NOT NULL REFERENCES sites(id),
    device_id       text NOT NULL REFERENCES devices(device_id),
    record          text NOT NULL,
    content_hash    text NOT NULL,
    received_at     timestamptz NOT NULL
);
CREATE INDEX site_aliases_by_site ON site_aliases(site_id);

-- Finalized inspections as pushed. `site_id` is the id the device used (an alias or a
-- directory site); queries resolve it.
CREATE TABLE inspections (
    id            text PRIMARY KEY,
    supersedes    text,
    site_id       text NOT NULL,
    device_id     text NOT NULL REFERENCES devices(device_id),
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    outcome       text,
    record        text NOT NULL,
    content_hash  text NOT NULL,
    received_at   timestamptz NOT NULL
);

-- The certificate checks each inspection's finalization rests on, as the inspection names
-- them (the checks themselves may arrive later).
CREATE TABLE inspection_officer_checks (
    inspection_id  text NOT NULL REFERENCES inspections(id),
    check_id       text NOT NULL,
    PRIMARY KEY (inspection_id, check_id)
);
CREATE INDEX inspection_officer_checks_by_check ON inspection_officer_checks(check_id);

CREATE TABLE certificate_checks (
    id             text PRIMARY KEY,
    inspection_id  text NOT NULL,
    officer_id     text NOT NULL,
    result         text NOT NULL,
    device_id      text NOT NULL REFERENCES devices(device_id),
    record         text NOT NULL,
    content_hash   text NOT NULL,
    received_at    timestamptz NOT NULL
);

CREATE TABLE evidence (
    id             text PRIMARY KEY,
    inspection_id  text NOT NULL,
    sha256         text NOT NULL,
    size           bigint NOT NULL,
    device_id      text NOT NULL REFERENCES devices(device_id),
    record         text NOT NULL,
    content_hash   text NOT NULL,
    received_at    timestamptz NOT NULL
);
CREATE INDEX evidence_inspection ON evidence(inspection_id);

-- Body-cam checks before inspections, taken only when the sealed inspection lists them.
CREATE TABLE recorder_checks (
    id             text PRIMARY KEY,
    inspection_id  text NOT NULL,
    recorder_id    text NOT NULL,
    device_id      text NOT NULL REFERENCES devices(device_id),
    record         text NOT NULL,
    content_hash   text NOT NULL,
    received_at    timestamptz NOT NULL
);
CREATE INDEX recorder_checks_inspection ON recorder_checks(inspection_id);

-- Each device's audit chain, as far as it holds without a gap; hashes as their 32 bytes.
CREATE TABLE audit_entries (
    device_id     text NOT NULL REFERENCES devices(device_id),
    seq           bigint NOT NULL,
    prev_hash     bytea NOT NULL CHECK (length(prev_hash) = 32),
    at            text NOT NULL,
    actor         text NOT NULL,
    action        text NOT NULL,
    subject       text NOT NULL,
    payload_hash  bytea NOT NULL CHECK (length(payload_hash) = 32),
    hash          bytea NOT NULL CHECK (length(hash) = 32),
    received_at   timestamptz NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- Pushed items that wait for a person: conflicts, rejections, flags (see the SQLite schema).
CREATE TABLE reviews (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id          text NOT NULL REFERENCES devices(device_id),
    kind               text NOT NULL,
    item_id            text NOT NULL,
    content_hash       text NOT NULL,
    record_hash        text NOT NULL,
    reason             text NOT NULL CHECK (reason IN ('conflict', 'rejected', 'flagged')),
    detail             text NOT NULL,
    record             text NOT NULL,
    first_received_at  timestamptz NOT NULL,
    last_received_at   timestamptz NOT NULL,
    times              integer NOT NULL DEFAULT 1,
    resolved_at        timestamptz,
    resolution         text,
    UNIQUE (device_id, kind, item_id, record_hash, reason)
);
CREATE INDEX reviews_by_item ON reviews(kind, item_id);
CREATE INDEX reviews_open_by_device ON reviews(device_id) WHERE resolved_at IS NULL;

-- Checklist templates the bureau publishes.
CREATE TABLE templates (
    id       text NOT NULL,
    version  bigint NOT NULL,
    record   text NOT NULL,
    PRIMARY KEY (id, version)
);

-- The change feed devices pull. `cursor` only grows, and is taken in commit order (every
-- append holds one advisory lock until its transaction ends: see `mod.rs`). `device_id`: the
-- one device a change is for (an evidence verdict); NULL: every device.
CREATE TABLE changes (
    cursor     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('site', 'template', 'registry', 'key_rotation', 'evidence_verdict')),
    record_id  text NOT NULL,
    record     text NOT NULL,
    at         timestamptz NOT NULL,
    device_id  text
);

-- The feed's epoch: cursors count within one epoch.
CREATE TABLE feed_epoch (
    singleton   integer PRIMARY KEY CHECK (singleton = 1),
    epoch       text NOT NULL,
    started_at  timestamptz NOT NULL
);

-- Officers as the registry knows them; `pin_verifier` is an Argon2id PHC string.
CREATE TABLE officers (
    officer_id    text PRIMARY KEY,
    name          text NOT NULL,
    pin_verifier  text,
    pin_set_at    timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    unit          text
);

-- Each certificate as it stands now; its whole past is in `certificate_history`. Dates are
-- Beijing dates as printed on the card.
CREATE TABLE certificates (
    number            text PRIMARY KEY,
    officer_id        text NOT NULL REFERENCES officers(officer_id),
    holder_name       text NOT NULL,
    issuing_unit      text NOT NULL,
    areas             text NOT NULL,
    valid_from        date NOT NULL,
    valid_until       date NOT NULL,
    status            text NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    issued_at         timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    registry_version  bigint NOT NULL
);
CREATE INDEX certificates_by_officer ON certificates(officer_id);

CREATE TABLE certificate_history (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number            text NOT NULL REFERENCES certificates(number),
    action            text NOT NULL CHECK (action IN ('issued', 'renewed', 'suspended', 'reinstated', 'revoked')),
    at                timestamptz NOT NULL,
    reason            text,
    actor             text NOT NULL,
    state             text NOT NULL,
    registry_version  bigint NOT NULL
);
CREATE INDEX certificate_history_by_number ON certificate_history(number, at, id);

-- The bureau's signing keys, public halves only. Exactly one is active.
CREATE TABLE signing_keys (
    key_id      text PRIMARY KEY,
    public_key  text NOT NULL UNIQUE,
    state       text NOT NULL CHECK (state IN ('active', 'retired')),
    created_at  timestamptz NOT NULL,
    retired_at  timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys(state) WHERE state = 'active';

-- Every registry version published, exactly as signed and sent.
CREATE TABLE registry_versions (
    version       bigint PRIMARY KEY,
    from_version  bigint,
    issued_at     timestamptz NOT NULL,
    key_id        text NOT NULL REFERENCES signing_keys(key_id),
    signed        text NOT NULL
);

-- Administrators' tokens: only the SHA-256 of each is kept.
CREATE TABLE admin_tokens (
    token_hash  text PRIMARY KEY,
    label       text,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    last_used   timestamptz,
    revoked_at  timestamptz
);

-- Evidence uploads (tus): offset, whole-file hasher state, staged state, and the lease one
-- request at a time holds on it, across every bureau process sharing this database.
CREATE TABLE uploads (
    id            text PRIMARY KEY,
    device_id     text NOT NULL REFERENCES devices(device_id),
    evidence_id   text NOT NULL REFERENCES evidence(id),
    upload_length bigint NOT NULL CHECK (upload_length >= 0),
    upload_offset bigint NOT NULL DEFAULT 0 CHECK (upload_offset >= 0 AND upload_offset <= upload_length),
    hasher        bytea NOT NULL,
    staged        text NOT NULL DEFAULT '',
    state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed', 'terminated', 'expired')),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    lease_holder  text,
    lease_until   timestamptz
);
CREATE INDEX uploads_evidence ON uploads(evidence_id);

CREATE TABLE evidence_blobs (
    upload_id    text PRIMARY KEY REFERENCES uploads(id),
    evidence_id  text NOT NULL REFERENCES evidence(id),
    blob_key     text NOT NULL,
    sha256       text NOT NULL,
    bytes        bigint NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('verified', 'mismatch')),
    decided_at   timestamptz NOT NULL
);
CREATE INDEX evidence_blobs_evidence ON evidence_blobs(evidence_id);

CREATE TABLE evidence_custody (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id  text NOT NULL REFERENCES evidence(id),
    upload_id    text,
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    event        text NOT NULL,
    detail       text NOT NULL DEFAULT ''
);
CREATE INDEX evidence_custody_evidence ON evidence_custody(evidence_id, seq);

-- Received records are never changed or removed by the bureau: only appended. One function
-- refuses, with the message its trigger passes.
CREATE FUNCTION fieldcase_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'immutable: %', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER inspections_append_only BEFORE UPDATE OR DELETE ON inspections
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a received inspection is never changed or removed');
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a received audit entry is never changed or removed');
CREATE TRIGGER certificate_checks_append_only BEFORE UPDATE OR DELETE ON certificate_checks
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a received certificate check is never changed or removed');
CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a received evidence reference is never changed or removed');
CREATE TRIGGER recorder_checks_append_only BEFORE UPDATE OR DELETE ON recorder_checks
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a received recorder check is never changed or removed');
CREATE TRIGGER changes_append_only BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('the change feed is append-only');
CREATE TRIGGER certificate_history_append_only BEFORE UPDATE OR DELETE ON certificate_history
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('certificate history is never changed or removed');
CREATE TRIGGER registry_versions_append_only BEFORE UPDATE OR DELETE ON registry_versions
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a published registry version is never changed or removed');
CREATE TRIGGER evidence_blobs_append_only BEFORE UPDATE OR DELETE ON evidence_blobs
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a verdict on evidence bytes is never changed or removed');
CREATE TRIGGER evidence_custody_append_only BEFORE UPDATE OR DELETE ON evidence_custody
    FOR EACH ROW EXECUTE FUNCTION fieldcase_immutable('a custody entry is never changed or removed');
