/**
 * The small socket interface the gateway talks to. `ws` lives behind it in one adapter file
 * (ws-socket.ts), so connection logic can be tested with fakes and could move to another transport.
 */
export interface TransportSocket {
  /**
   * Sends one binary WebSocket message; `done` fires once when the bytes left our process, with
   * nothing or null on success and the error on failure.
   */
  send(data: Uint8Array, done: (error?: Error | null) => void): void;
  /** Starts the closing handshake. */
  close(code: number, reason: string): void;
  /** Drops the connection at once (no closing handshake). */
  terminate(): void;
  /** Sends a WebSocket-level ping. */
  ping(): void;
  /** Registers the (single) listener for each event. */
  onMessage(listener: (data: Uint8Array, isBinary: boolean) => void): void;
  onClose(listener: (code: number, reason: string) => void): void;
  onPong(listener: () => void): void;
  onError(listener: (error: Error) => void): void;
}
