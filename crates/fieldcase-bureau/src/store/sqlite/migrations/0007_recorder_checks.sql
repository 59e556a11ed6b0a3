-- Body-cam checks before inspections, as devices push them beside the evidence references.
-- Each is taken only when the sealed inspection it names lists it in its evidence manifest.
CREATE TABLE recorder_checks (
    id             TEXT PRIMARY KEY,
    inspection_id  TEXT NOT NULL,
    recorder_id    TEXT NOT NULL,
    device_id      TEXT NOT NULL REFERENCES devices(device_id),
    record         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    received_at    TEXT NOT NULL
) STRICT;
CREATE INDEX recorder_checks_inspection ON recorder_checks(inspection_id);
CREATE INDEX evidence_inspection ON evidence(inspection_id);
