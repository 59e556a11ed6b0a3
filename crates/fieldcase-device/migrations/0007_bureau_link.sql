-- How this laptop reaches its bureau, as chosen when it enrolled: plain HTTP to a bureau on
-- another machine (a lab only; otherwise https:// and loopback addresses alone), and the
-- certificate authority (PEM) of a bureau whose certificate its own authority issued.
ALTER TABLE enrollment ADD COLUMN insecure_http INTEGER NOT NULL DEFAULT 0 CHECK (insecure_http IN (0, 1));
ALTER TABLE enrollment ADD COLUMN ca_pem TEXT;
