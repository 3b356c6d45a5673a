-- Realtime tokens are single use: a token's id is written here when it opens a session, and a second use is
-- refused. Shared by every instance on the database.
create table realtime_token_uses (
    token_id text        primary key,
    used_at  timestamptz not null default now()
);
create index realtime_token_uses_used on realtime_token_uses (used_at);
