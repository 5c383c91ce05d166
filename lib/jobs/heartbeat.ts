/** Each worker keeps a `Setting` row under this prefix fresh; /api/health lists the live ones. */
export const WORKER_HEARTBEAT_KEY = "worker.heartbeat.";
