-- The batches created through the gateway, each with the key that created it, and when its usage was counted.
-- OpenAI reports a batch's usage on the Batch object once it ends; the instance that first reads it so claims the row
-- (counted_at set where it was null), so the tokens are counted once across all instances, for the creating key.
create table batch_usage (
    batch_id   text        primary key,
    key_id     text        not null,
    owner      text        not null,
    created_at timestamptz not null default now(),
    counted_at timestamptz
);
