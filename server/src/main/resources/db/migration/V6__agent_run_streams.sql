-- The event stream of an agent run, to re-attach to it (GET /v1/streams/{stream_id}).
alter table agent_runs add column stream_id text;
