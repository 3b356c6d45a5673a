-- Evaluation runs (`switchboard eval`), kept so that the admin page can show how results move between runs.
create table eval_runs (
    id          text primary key,
    source      text        not null,
    model       text,
    judge_model text,
    total       integer     not null,
    passed      integer     not null,
    failed      integer     not null,
    started_at  timestamptz not null,
    duration_ms bigint      not null,
    created_at  timestamptz not null default now()
);
create index eval_runs_created on eval_runs (created_at desc);

-- One scenario of a run: whether it passed, and its turns, grades, latency and usage as JSON.
create table eval_results (
    run_id      text        not null references eval_runs (id) on delete cascade,
    scenario    text        not null,
    passed      boolean     not null,
    duration_ms bigint      not null,
    detail      jsonb       not null,
    primary key (run_id, scenario)
);
