-- The activation reminders already done for a link (0, 3, then 6: the day of the last one
-- queued), so that the job of every minute reads only the links with a reminder due
-- (`jobs::reminders`): before, it read every link waiting for activation (100 000 on the
-- bench) each minute and found most of them reminded already. Links whose reminder was queued
-- before this column are found once more, recognised by their message key and marked.
ALTER TABLE account_tokens ADD COLUMN reminded_day INTEGER NOT NULL DEFAULT 0;
CREATE INDEX account_tokens_rappels ON account_tokens (reminded_day, expires_at)
    WHERE purpose = 'activation' AND used_at IS NULL AND revoked_at IS NULL;
