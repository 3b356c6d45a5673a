-- The gateway's Realtime session (rtsess_…) a Realtime event belongs to, relayed or seen on a call's sideband, so an
-- operator holding a session id finds its events (GET /api/admin/debug-events?session_id=).
alter table openai_debug_events add column session_id text;
create index openai_debug_events_session on openai_debug_events (session_id) where session_id is not null;
