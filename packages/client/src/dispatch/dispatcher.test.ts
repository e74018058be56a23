import { createMessageRegistry, jsonSchema, MessageType, type MmoEnvelope } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatcher.js';
import { createEventBus } from './event-bus.js';
import type { InboundMessage } from './inbound-message.js';
import { StateProviderRegistry } from './state-providers.js';

function message<T>(type: number, payload: T): InboundMessage<T> {
  const envelope: MmoEnvelope = { version: 1, sequence: 0, timestamp: 0, sessionId: '', type, payload: new Uint8Array(0), requiresAck: false, priority: 0, ack: 0 };
  return { envelope, payload, typeName: String(type) };
}

describe('Dispatcher', () => {
  it('runs several handlers per type from the highest priority down, ties in registration order', () => {
    const d = new Dispatcher(() => {});
    const calls: string[] = [];
    d.on(1000, () => calls.push('a0'));
    d.on(1000, () => calls.push('b10'), { priority: 10 });
    d.on(1000, () => calls.push('c0'));
    d.on(1000, () => calls.push('d-5'), { priority: -5 });
    d.on(1000, () => calls.push('e10'), { priority: 10 });
    d.onAny(() => calls.push('any'));
    d.on(1001, () => calls.push('other'));
    d.dispatch(message(1000, {}));
    expect(calls).toEqual(['b10', 'e10', 'a0', 'c0', 'd-5', 'any']);
  });

  it('unsubscribes, including from inside a handler, without skipping the others', () => {
    const d = new Dispatcher(() => {});
    const calls: string[] = [];
    const offA = d.on(7, () => {
      calls.push('a');
      offA();
    });
    const offB = d.on(7, () => calls.push('b'));
    d.dispatch(message(7, {}));
    d.dispatch(message(7, {}));
    offB();
    offB(); // twice is harmless
    d.dispatch(message(7, {}));
    expect(calls).toEqual(['a', 'b', 'b']);
    expect(d.handlerCount(7)).toBe(0);
  });

  it('reports a throwing handler with its message type and still runs the rest', () => {
    const errors: Array<{ error: unknown; type: number }> = [];
    const d = new Dispatcher((error, { type }) => errors.push({ error, type }));
    const calls: string[] = [];
    d.on(9, () => {
      throw new Error('boom');
    }, { priority: 1 });
    d.on(9, () => calls.push('after'));
    d.dispatch(message(9, {}));
    d.dispatch(message(9, {}));
    expect(calls).toEqual(['after', 'after']);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ type: 9, error: expect.objectContaining({ message: 'boom' }) });
  });

  it('is typed by built-in type and by custom descriptor', () => {
    const registry = createMessageRegistry();
    const Chat = registry.register({ type: 1000, name: 'Chat', schema: jsonSchema<{ text: string }>() });
    const d = new Dispatcher(() => {});
    const seen: string[] = [];
    d.on(Chat, (chat) => seen.push(chat.text));
    d.on(MessageType.FRIEND_STATUS, (status) => seen.push(status.friendId));
    d.dispatch(message(1000, { text: 'hi' }));
    d.dispatch(message(MessageType.FRIEND_STATUS, { friendId: 'f1' }));
    expect(seen).toEqual(['hi', 'f1']);
  });
});

describe('EventBus', () => {
  it('delivers typed game events and isolates throwing listeners', () => {
    const errors: string[] = [];
    const bus = createEventBus<{ loot: { itemId: string }; level: number }>((_e, event) => errors.push(String(event)));
    const got: string[] = [];
    bus.on('loot', () => {
      throw new Error('ui crashed');
    });
    bus.on('loot', ({ itemId }) => got.push(itemId));
    const off = bus.on('level', (n) => got.push(`level ${n}`));
    bus.once('level', (n) => got.push(`once ${n}`));
    bus.emit('loot', { itemId: 'sword' });
    bus.emit('level', 2);
    off();
    bus.emit('level', 3);
    expect(got).toEqual(['sword', 'level 2', 'once 2']);
    expect(errors).toEqual(['loot']);
  });
});

describe('StateProviderRegistry', () => {
  it('reads named providers on demand', () => {
    const providers = new StateProviderRegistry();
    let x = 1;
    const off = providers.register('player', { getState: () => ({ x }) });
    x = 2;
    expect(providers.get('player')).toEqual({ x: 2 });
    expect(providers.snapshot()).toEqual({ player: { x: 2 } });
    off();
    expect(providers.has('player')).toBe(false);
  });
});
