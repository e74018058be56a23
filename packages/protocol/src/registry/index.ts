export { MessageRegistry, createMessageRegistry } from './registry.js';
export { builtinDescriptors } from './builtin.js';
export type { BuiltinPayloadInit, BuiltinPayloadInits, BuiltinPayloads, BuiltinType } from './builtin.js';
export { defineMessage } from './descriptor.js';
export type { MessageDefinition, MessageDescriptor } from './descriptor.js';
export { bytesSchema, jsonSchema, protobufSchema } from './schema.js';
export type { JsonSchemaOptions, PayloadSchema, ProtobufMessageClass } from './schema.js';
