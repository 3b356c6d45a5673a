-- Runs of assistants on threads, and their steps. A run executes on the Responses API; tool_transcript keeps the
-- function calls and outputs of the run so far (Responses input items), so that submitting tool outputs can
-- continue the run after a restart. stream_id names the event log of the run's latest stream.
create table runs (
    id              text primary key,
    owner           text        not null,
    parent_id       text        not null references threads (id) on delete cascade,
    seq             bigserial   not null unique,
    created_at      bigint      not null,
    body            jsonb       not null,
    tool_transcript jsonb       not null default '[]',
    stream_id       text
);
create index runs_thread on runs (parent_id, seq);

create table run_steps (
    id         text primary key,
    owner      text        not null,
    parent_id  text        not null references runs (id) on delete cascade,
    seq        bigserial   not null unique,
    created_at bigint      not null,
    body       jsonb       not null
);
create index run_steps_run on run_steps (parent_id, seq);
