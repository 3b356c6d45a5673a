-- Switchboard's first schema. Runs unchanged on the embedded PostgreSQL and on any PostgreSQL 13+.
-- Ids are text with a type prefix (key_, asess_, arun_, rtsess_), as OpenAI's are.

-- Gateway API keys. Only a SHA-256 hash of each key is kept; the key itself is shown once, at creation.
create table api_keys (
    id           text primary key,
    name         text        not null,
    owner        text        not null,
    key_hash     bytea       not null unique,
    key_prefix   text        not null,
    admin        boolean     not null default false,
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz
);
create index api_keys_owner on api_keys (owner);

-- Agent sessions: a model, instructions and the tools an agent may use, owned by a key's owner.
create table agent_sessions (
    id           text primary key,
    owner        text        not null,
    name         text,
    model        text        not null,
    instructions text,
    tools        jsonb       not null default '[]',
    metadata     jsonb       not null default '{}',
    last_response_id text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);
create index agent_sessions_owner on agent_sessions (owner, created_at desc);

-- One run of an agent session: its input, what came out, and what it cost.
create table agent_runs (
    id                   text primary key,
    session_id           text        not null references agent_sessions (id) on delete cascade,
    owner                text        not null,
    status               text        not null,
    input                jsonb       not null,
    output_text          text,
    tool_calls           jsonb       not null default '[]',
    usage                jsonb,
    upstream_response_ids jsonb      not null default '[]',
    error                jsonb,
    created_at           timestamptz not null default now(),
    started_at           timestamptz,
    completed_at         timestamptz
);
create index agent_runs_session on agent_runs (session_id, created_at desc);

-- Realtime (ChatKit) sessions brokered by the gateway, linked across restarts.
create table chatkit_sessions (
    id                  text primary key,
    owner               text        not null,
    kind                text        not null default 'realtime',
    agent_session_id    text references agent_sessions (id) on delete set null,
    previous_session_id text references chatkit_sessions (id) on delete set null,
    upstream_id         text,
    model               text,
    voice               text,
    status              text        not null,
    transcript          jsonb       not null default '[]',
    usage               jsonb,
    created_at          timestamptz not null default now(),
    expires_at          timestamptz,
    ended_at            timestamptz
);
create index chatkit_sessions_agent on chatkit_sessions (agent_session_id);

-- The debug event log: one row per upstream request (and per tool call or realtime event of interest).
-- Never holds an OpenAI key or a gateway key.
create table openai_debug_events (
    id                  bigserial primary key,
    request_id          text        not null,
    upstream_request_id text,
    kind                text        not null,
    key_id              text,
    endpoint            text,
    model               text,
    status              integer,
    ttfb_ms             integer,
    duration_ms         integer,
    usage               jsonb,
    error               jsonb,
    payload             jsonb,
    created_at          timestamptz not null default now()
);
create index openai_debug_events_created on openai_debug_events (created_at desc);
create index openai_debug_events_request on openai_debug_events (request_id);

-- Every relayed stream, and its events in order, so that a stream can be replayed after it ended.
create table streams (
    id          text primary key,
    key_id      text,
    endpoint    text        not null,
    model       text,
    status      text        not null,
    created_at  timestamptz not null default now(),
    finished_at timestamptz
);

create table stream_events (
    stream_id  text        not null references streams (id) on delete cascade,
    seq        bigint      not null,
    frame      bytea       not null,
    created_at timestamptz not null default now(),
    primary key (stream_id, seq)
);
