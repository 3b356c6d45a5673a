-- Which gateway instances are alive, as PostgreSQL alone can tell (Redis is optional): each instance renews its row's
-- heartbeat every few seconds. An instance that has not renewed within the lease (SWITCHBOARD_INSTANCE_LEASE) was
-- killed, crashed or cut off, and the living settle what it left. A run names the instance executing it (executor);
-- a run still active whose executor lapsed is failed by any instance, freeing its thread.
create table gateway_instances (
    id           text primary key,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now()
);

alter table runs add column executor text;
alter table agent_runs add column executor text;

create index runs_active on runs ((body->>'status')) where body->>'status' in ('queued', 'in_progress', 'cancelling');
create index agent_runs_in_progress on agent_runs (status) where status = 'in_progress';
