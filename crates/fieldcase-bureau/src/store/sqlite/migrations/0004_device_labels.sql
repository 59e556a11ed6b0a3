-- A device is named by the label the administrator gave its enrollment code ("laptop-1");
-- the laptop's own host name is kept beside it. Devices enrolled before take their code's
-- label, and what they called themselves becomes their host label.
ALTER TABLE devices ADD COLUMN host_label TEXT;

UPDATE devices SET
    host_label = label,
    label = (SELECT c.label FROM enrollment_codes c WHERE c.used_by = devices.device_id
             ORDER BY c.used_at DESC LIMIT 1);
