import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/**
 * Answers an upgrade request with a plain HTTP status and a short text reason, then closes the
 * socket. Used for every refusal before the 101: the client never gets a WebSocket.
 */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = `${reason}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    body,
  ];
  socket.end(lines.join('\r\n'));
  // end() flushes; destroy soon after in case the peer never reads.
  setTimeout(() => socket.destroy(), 1000).unref();
}
