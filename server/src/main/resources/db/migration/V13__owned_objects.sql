-- The OpenAI objects created through the gateway (responses and conversations; later files, batches, vector
-- stores, uploads), each with the owner of the key that created it: only that owner's keys may name it again.
-- A row is never changed: the first owner recorded keeps the object.
create table owned_objects (
    kind       text        not null,
    id         text        not null,
    owner      text        not null,
    created_at timestamptz not null default now(),
    primary key (kind, id)
);
