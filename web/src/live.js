// Live ticket changes from GET /api/v1/events (server-sent events). The browser's EventSource
// reconnects by itself with Last-Event-ID, so a change made while it reconnects is still seen.
import { getCurrentInstance, onBeforeUnmount } from 'vue';

export const liveState = { connected: false, last: null };

export function useTicketEvents(onEvent) {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('ticket', (message) => {
    liveState.last = message.lastEventId;
    try {
      onEvent(JSON.parse(message.data));
    } catch {
      /* a malformed event is ignored */
    }
  });
  source.addEventListener('open', () => (liveState.connected = true));
  source.addEventListener('error', () => (liveState.connected = false));
  onBeforeUnmount(() => source.close());
  return source;
}

// Calls `fn` at most once per `ms` (a burst of events reloads a list once). Called in a
// component's setup, a pending call is dropped when the component unmounts: a reload that fires
// after the user has moved on must not act on the next page (e.g. rewrite its URL).
export function throttle(fn, ms = 500) {
  let timer = null;
  if (getCurrentInstance()) onBeforeUnmount(() => clearTimeout(timer));
  return (...args) => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
}
