// Entry of the self-contained browser bundle (`@mmo/client/browser`, dist/browser/mmo-client.js):
// the whole @mmo/client surface plus the @mmo/protocol names a page needs to declare and send
// messages, with @mmo/protocol and protobufjs bundled in. A page without a bundler imports this
// one file; Node and Electron can import the very same file and pass `ws` as `WebSocket`.
// The wildcard re-exports ./index.ts on purpose: the bundle must offer exactly the package surface.
export * from './index.js';

export {
  CloseCode,
  ErrorCode,
  MessageType,
  PROTOCOL_VERSION,
  Priority,
  bytesSchema,
  createMessageRegistry,
  defineMessage,
  isMmoError,
  jsonSchema,
  protobufSchema,
} from '@mmo/protocol';
export type {
  BuiltinPayloadInit,
  BuiltinPayloads,
  BuiltinType,
  Clock,
  MessageDescriptor,
  MessageRegistry,
  MmoEnvelope,
  PayloadSchema,
} from '@mmo/protocol';
