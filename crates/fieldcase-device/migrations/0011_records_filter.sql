-- The records screen filters inspections by site, by status and by a range of days, newest
-- first: each filter walks its own index in date order instead of the whole table.
CREATE INDEX inspections_site_started ON inspections (site_id, started_at);
CREATE INDEX inspections_status_started ON inspections (status, started_at);
