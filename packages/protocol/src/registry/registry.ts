import { MessageTypeRange, Priority } from '../codes.js';
import { ProtocolError, ProtocolErrorCode, RegistryError } from '../errors.js';
import { MAX_PRIORITY } from '../envelope/envelope.js';
import { builtinDescriptors, type BuiltinPayloadInit, type BuiltinPayloads, type BuiltinType } from './builtin.js';
import type { MessageDefinition, MessageDescriptor } from './descriptor.js';
import type { PayloadSchema } from './schema.js';

/**
 * Message type -> descriptor. Starts with every built-in type; games add custom types (>= 1000).
 * One instance per server or client (no global registry), so tests and several games in one
 * process never share state.
 */
export class MessageRegistry {
  private readonly byType = new Map<number, MessageDescriptor>();
  private readonly byNameMap = new Map<string, MessageDescriptor>();

  constructor() {
    for (const d of builtinDescriptors) this.add(d);
  }

  /**
   * Registers a custom message type. Refuses types below 1000, non-integers, duplicates of a type
   * number or a name, and priorities outside 0..10, with a {@link RegistryError}.
   */
  register<T, I = T>(definition: MessageDefinition<T, I>): MessageDescriptor<T, I> {
    const { type, name } = definition;
    if (!Number.isInteger(type) || type < MessageTypeRange.CUSTOM_MIN || type > MessageTypeRange.CUSTOM_MAX) {
      throw new RegistryError(
        'INVALID_TYPE',
        `custom message type ${type} must be an integer in ${MessageTypeRange.CUSTOM_MIN}..${MessageTypeRange.CUSTOM_MAX}`,
      );
    }
    if (typeof name !== 'string' || name.length === 0) {
      throw new RegistryError('INVALID_NAME', `custom message type ${type} needs a non-empty name`);
    }
    const priority = definition.priority ?? Priority.NORMAL;
    if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
      throw new RegistryError('INVALID_PRIORITY', `priority ${priority} of ${name} is outside 0..${MAX_PRIORITY}`);
    }
    if (typeof definition.schema?.encode !== 'function' || typeof definition.schema.decode !== 'function') {
      throw new RegistryError('INVALID_SCHEMA', `schema of ${name} needs encode and decode functions`);
    }
    const descriptor: MessageDescriptor<T, I> = Object.freeze({
      type,
      name,
      schema: definition.schema,
      priority,
      compress: definition.compress ?? false,
      reliable: definition.reliable ?? true,
    });
    this.add(descriptor as unknown as MessageDescriptor);
    return descriptor;
  }

  /** The descriptor of `type`, or undefined. */
  get(type: number): MessageDescriptor | undefined {
    return this.byType.get(type);
  }

  /** The descriptor of `type`; throws ProtocolError UNKNOWN_MESSAGE_TYPE when none is registered. */
  require(type: number): MessageDescriptor {
    const d = this.byType.get(type);
    if (d === undefined) {
      throw new ProtocolError(ProtocolErrorCode.UNKNOWN_MESSAGE_TYPE, `unknown message type ${type}`);
    }
    return d;
  }

  /** The descriptor registered under `name`, or undefined. */
  byName(name: string): MessageDescriptor | undefined {
    return this.byNameMap.get(name);
  }

  has(type: number): boolean {
    return this.byType.has(type);
  }

  /** Every registered descriptor, ordered by type number. */
  list(): MessageDescriptor[] {
    return [...this.byType.values()].sort((a, b) => a.type - b.type);
  }

  /** Encodes a payload for `type` (or a descriptor returned by `register`). */
  pack<K extends BuiltinType>(type: K, value: BuiltinPayloadInit<K>): Uint8Array;
  pack<T, I>(descriptor: MessageDescriptor<T, I>, value: I): Uint8Array;
  pack(type: number, value: unknown): Uint8Array;
  pack(typeOrDescriptor: number | MessageDescriptor<unknown, never>, value: unknown): Uint8Array {
    const d = this.resolve(typeOrDescriptor);
    try {
      return (d.schema as PayloadSchema<unknown, unknown>).encode(value);
    } catch (error) {
      throw new ProtocolError(
        ProtocolErrorCode.VALUE_OUT_OF_RANGE,
        `cannot encode ${d.name} payload: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Decodes a payload of `type`. Throws ProtocolError UNKNOWN_MESSAGE_TYPE or MALFORMED_PAYLOAD,
   * never the schema's own error.
   */
  unpack<K extends BuiltinType>(type: K, bytes: Uint8Array): BuiltinPayloads[K];
  unpack<T, I>(descriptor: MessageDescriptor<T, I>, bytes: Uint8Array): T;
  unpack(type: number, bytes: Uint8Array): unknown;
  unpack(typeOrDescriptor: number | MessageDescriptor<unknown, never>, bytes: Uint8Array): unknown {
    const d = this.resolve(typeOrDescriptor);
    try {
      return d.schema.decode(bytes);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === ProtocolErrorCode.MALFORMED_PAYLOAD) throw error;
      throw new ProtocolError(
        ProtocolErrorCode.MALFORMED_PAYLOAD,
        `${d.name} payload does not decode: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  private resolve(typeOrDescriptor: number | MessageDescriptor<unknown, never>): MessageDescriptor {
    if (typeof typeOrDescriptor === 'number') return this.require(typeOrDescriptor);
    const d = this.require(typeOrDescriptor.type);
    if ((d as unknown) !== typeOrDescriptor) {
      throw new RegistryError(
        'FOREIGN_DESCRIPTOR',
        `descriptor ${typeOrDescriptor.name} (${typeOrDescriptor.type}) was not registered in this registry`,
      );
    }
    return d;
  }

  private add(d: MessageDescriptor): void {
    const sameType = this.byType.get(d.type);
    if (sameType !== undefined) {
      throw new RegistryError('DUPLICATE_TYPE', `message type ${d.type} is already registered as ${sameType.name}`);
    }
    const sameName = this.byNameMap.get(d.name);
    if (sameName !== undefined) {
      throw new RegistryError('DUPLICATE_NAME', `message name ${d.name} is already registered for type ${sameName.type}`);
    }
    this.byType.set(d.type, d);
    this.byNameMap.set(d.name, d);
  }
}

/** Creates a registry holding every built-in type. */
export function createMessageRegistry(): MessageRegistry {
  return new MessageRegistry();
}
