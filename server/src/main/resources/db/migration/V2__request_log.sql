-- Every request the gateway forwarded upstream, with its usage: the source for accounting per key and for the
-- admin API's recent requests. Written in batches off the request path; request_id makes a retried batch harmless.
create table request_log (
    request_id          text primary key,
    key_id              text,
    owner               text,
    endpoint            text        not null,
    model               text,
    streaming           boolean     not null,
    stream_id           text,
    status              integer,
    outcome             text,
    error               text,
    upstream_request_id text,
    input_tokens        bigint,
    output_tokens       bigint,
    total_tokens        bigint,
    ttfb_ms             integer,
    duration_ms         integer,
    events              bigint      not null default 0,
    created_at          timestamptz not null
);
create index request_log_created on request_log (created_at desc);
create index request_log_key on request_log (key_id, created_at desc);

-- One debug record per upstream request (or tool call, realtime event) kind: a retried batch must not duplicate.
alter table openai_debug_events add constraint openai_debug_events_once unique (request_id, kind);
