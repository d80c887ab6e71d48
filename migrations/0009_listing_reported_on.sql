-- 0009: the day a 附件1 last listed a catalogue entry, as the form says (填写日期). The supply
-- catalogue's "最近更新" and its "超过一个月未更新" flag follow the township's forms, not the day
-- they were imported: a backlog of old forms imported today is still old. NULL: the entry was
-- entered or last changed in the program (its updated_at counts), or its form gave no date.
ALTER TABLE listing ADD COLUMN reported_on TEXT;
