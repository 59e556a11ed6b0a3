-- A lockout is measured in time since boot as well as on the wall clock, so that setting the
-- laptop's clock forward does not end it; and consecutive wrong PINs are counted until a
-- right one, so that each wrong PIN after the lockout locks again at once.
ALTER TABLE signin_failures ADD COLUMN locked_boot_id TEXT;
ALTER TABLE signin_failures ADD COLUMN locked_until_since_boot_ms INTEGER;
