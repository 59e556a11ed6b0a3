-- The bureau's feed epoch the pull cursor counts in: another epoch (a bureau restored from a
-- backup, or a new database) sends the cursor back to the start.
ALTER TABLE sync_state ADD COLUMN feed_epoch TEXT;
