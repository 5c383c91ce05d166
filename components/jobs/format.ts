export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 1) return `${perSecond.toFixed(perSecond >= 10 ? 0 : 1)}/s`;
  if (perSecond > 0) return `${(perSecond * 60).toFixed(1)}/min`;
  return "–";
}

export function elapsedSeconds(from: string | null, to: string | null, now = Date.now()): number | null {
  if (!from) return null;
  return ((to ? Date.parse(to) : now) - Date.parse(from)) / 1000;
}
