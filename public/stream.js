// @ts-check
/**
 * The server's event stream (GET /events) read with fetch, so that it can carry
 * `Authorization: Bearer` like every other call (an EventSource cannot send
 * headers, and the token is in no cookie). It behaves as an EventSource does: the
 * Server-Sent Events format, a reconnect after the server's `retry:` delay, and
 * `Last-Event-ID` on each reconnect, so that the server replays what was missed.
 */

/**
 * @typedef {{type: string, data: string, id: string}} StreamEvent
 * @typedef {{
 *   token(): string,
 *   lastEventId: string,
 *   onEvent(event: StreamEvent): void,
 *   onUnauthorized(): void,
 *   onState?(connected: boolean): void,
 * }} StreamOptions
 */

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens the stream and keeps it open until close() is called or the server refuses the token.
 * @param {string} url @param {StreamOptions} options
 */
export function openEventStream(url, options) {
  let lastEventId = options.lastEventId;
  let retryMs = 2000;
  let closed = false;
  /** @type {AbortController|null} */
  let current = null;

  /** @param {ReadableStream<Uint8Array>} body */
  async function read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    // The spec's "last event ID buffer": an id: line sets it; it becomes the id to resume
    // after only when its event is complete, so that a connection cut inside a frame
    // replays that event instead of skipping it.
    let idBuffer = lastEventId;
    let type = '';
    /** @type {string[]} */
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n');
      while (end >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        end = buffer.indexOf('\n');
        if (line === '') {
          // A blank line ends an event; one without data is no event, but its id counts (the spec's rules).
          lastEventId = idBuffer;
          if (data.length) options.onEvent({ type: type || 'message', data: data.join('\n'), id: lastEventId });
          type = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id' && !text.includes('\0')) idBuffer = text;
        else if (field === 'retry' && /^\d+$/.test(text)) retryMs = Number(text);
      }
    }
  }

  async function run() {
    while (!closed) {
      current = new AbortController();
      try {
        /** @type {Record<string, string>} */
        const headers = { accept: 'text/event-stream', authorization: `Bearer ${options.token()}` };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await fetch(url, { headers, cache: 'no-store', signal: current.signal });
        if (response.status === 401) {
          options.onState?.(false);
          options.onUnauthorized();
          return;
        }
        if (response.ok && response.body) {
          options.onState?.(true);
          await read(response.body);
        }
      } catch {
        // A dropped connection, or close(): either way, what follows decides.
      }
      if (closed) return;
      options.onState?.(false);
      await sleep(retryMs);
    }
  }

  void run();
  return {
    close() {
      closed = true;
      current?.abort();
    },
  };
}
