-- A run's event streams, one per stretch (start, then each submission of tool outputs), oldest first; their events
-- are archived in stream_events so that a finished run can be replayed after its in-memory log is gone.
alter table runs add column stream_ids jsonb not null default '[]';

-- Secrets the gateway generates for itself and shares between instances (the key that signs stream tokens).
create table gateway_secrets (
    name       text primary key,
    value      bytea       not null,
    created_at timestamptz not null default now()
);
