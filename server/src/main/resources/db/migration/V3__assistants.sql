-- The Assistants API, kept by the gateway itself since OpenAI shut it down (2026-08-26). Each object is stored as
-- the JSON document the API returns, beside the columns it is found and ordered by. seq breaks ties between
-- objects created in the same second, so that pagination is stable.
create table assistants (
    id         text primary key,
    owner      text        not null,
    seq        bigserial   not null unique,
    created_at bigint      not null,
    body       jsonb       not null
);
create index assistants_owner on assistants (owner, seq);

create table threads (
    id         text primary key,
    owner      text        not null,
    seq        bigserial   not null unique,
    created_at bigint      not null,
    body       jsonb       not null
);
create index threads_owner on threads (owner, seq);

create table thread_messages (
    id         text primary key,
    owner      text        not null,
    parent_id  text        not null references threads (id) on delete cascade,
    seq        bigserial   not null unique,
    created_at bigint      not null,
    body       jsonb       not null
);
create index thread_messages_thread on thread_messages (parent_id, seq);
