-- What an officer chose for this laptop in the window's settings: how long a sign-in lasts
-- (a shift at most) and the window's language. One row; a missing value means the default.
CREATE TABLE device_settings (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    session_hours  INTEGER CHECK (session_hours BETWEEN 1 AND 12),
    language       TEXT CHECK (language IN ('zh-CN', 'en'))
);
