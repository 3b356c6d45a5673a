-- One row per forwarded request while it runs, written right after it starts and removed in the same transaction
-- that writes its request_log row. A row left behind by an instance that died becomes an `interrupted` row of
-- request_log (once its instance's heartbeat in gateway_instances lapsed), so no request is lost with its process.
create table requests_in_flight (
    request_id          text primary key,
    instance_id         text        not null,
    key_id              text,
    owner               text,
    endpoint            text        not null,
    model               text,
    streaming           boolean     not null,
    stream_id           text,
    status              integer,
    upstream_request_id text,
    input_tokens        bigint,
    output_tokens       bigint,
    total_tokens        bigint,
    ttfb_ms             integer,
    events              bigint      not null default 0,
    created_at          timestamptz not null,
    updated_at          timestamptz not null default now()
);
create index requests_in_flight_instance on requests_in_flight (instance_id);
