-- Limits and budgets per gateway key; a missing row or a null column means no limit of that kind.
create table key_limits (
    key_id              text primary key references api_keys (id) on delete cascade,
    requests_per_minute integer,
    concurrent_streams  integer,
    concurrent_realtime integer,
    tokens_per_day      bigint,
    tokens_per_month    bigint,
    models              text[],
    endpoints           text[],
    updated_at          timestamptz not null default now()
);
