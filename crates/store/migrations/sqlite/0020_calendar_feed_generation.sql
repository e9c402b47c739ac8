-- Each person's deadlines feed address can be replaced (a lost phone, an address shared by
-- mistake): the feed's token is derived from this number, which replacing it increments,
-- so the old address stops working at once.
ALTER TABLE users ADD COLUMN calendar_feed_generation INTEGER NOT NULL DEFAULT 0;
