-- The transcript a restarted Realtime session carries over from the session it replaces, injected as
-- conversation items when its client connects.
alter table chatkit_sessions add column carried_transcript jsonb not null default '[]';
