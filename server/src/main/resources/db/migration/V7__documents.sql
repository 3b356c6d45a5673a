-- Documents uploaded to the gateway, for tools such as document.vision_ocr; read through signed, expiring URLs.
create table documents (
    id         text primary key,
    owner      text        not null,
    media_type text        not null,
    size       integer     not null,
    bytes      bytea       not null,
    created_at timestamptz not null default now()
);
create index documents_owner on documents (owner, created_at desc);
