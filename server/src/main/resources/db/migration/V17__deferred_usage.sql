-- Objects whose usage OpenAI reports after the request that made them has ended (a batch, a background response
-- created without a stream), each with the key that created it, and when its usage was counted. The instance that
-- first reads the ended object claims the row (counted_at set where it was null), so its tokens are counted once
-- across all instances, for the creating key.
create table deferred_usage (
    object_id  text        primary key,
    key_id     text        not null,
    owner      text        not null,
    created_at timestamptz not null default now(),
    counted_at timestamptz
);
