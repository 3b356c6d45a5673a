-- Who did what, and when, through the admin API and the launcher: never a key itself.
create table admin_audit (
    id           bigserial primary key,
    at           timestamptz not null default now(),
    actor_key_id text,
    actor        text        not null,
    action       text        not null,
    target       text,
    detail       jsonb       not null default '{}'
);
create index admin_audit_at on admin_audit (at desc);

-- A rotated key stays valid until its revoked_at, which may now lie in the future (the overlap window).
create index api_keys_rotated_into on api_keys (id);
