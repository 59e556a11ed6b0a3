-- Whether the administrator of this laptop chose plain HTTP to a bureau on another machine
-- (a lab): otherwise only https:// and loopback addresses are used.
ALTER TABLE enrollment ADD COLUMN insecure_http INTEGER NOT NULL DEFAULT 0 CHECK (insecure_http IN (0, 1));
