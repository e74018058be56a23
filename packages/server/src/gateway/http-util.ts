import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest admin request body accepted, in bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** Writes a JSON response. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(text);
}

/**
 * Reads a JSON object body (at most 64 KiB). Answers 400/413 itself and returns undefined when the
 * body is not a JSON object.
 */
export async function readJsonBody(request: IncomingMessage, response: ServerResponse): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        sendJson(response, 413, { error: 'body too large' });
        request.destroy();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    sendJson(response, 400, { error: 'body must be a JSON object' });
    return undefined;
  }
}
