export {
  RESUME_QUERY_PARAM,
  TOKEN_QUERY_PARAM,
  createWebSocketTransport,
  resolveWebSocket,
  webSocketTransportDefaults,
  withQuery,
} from './websocket-transport.js';
export type { TokenCarrier, WebSocketTransportOptions } from './websocket-transport.js';
export type { Transport, TransportCloseInfo, TransportFactory, TransportHandlers, TransportRequest } from './transport.js';
export { WEBSOCKET_OPEN } from './websocket-like.js';
export type {
  CloseEventLike,
  ErrorEventLike,
  MessageEventLike,
  WebSocketConstructorLike,
  WebSocketConstructorOptions,
  WebSocketLike,
} from './websocket-like.js';
