import { describe, expect, it } from 'vitest';
import { botsDefaults, isBotsConfigError, readBotsConfig } from './config.js';

const SECRET = 'bots-test-secret-that-is-long-enough-0123';
const read = (argv: string[], env: Record<string, string> = {}, tty = true) => readBotsConfig(argv, env, tty);
const fails = (argv: string[], env: Record<string, string> = {}) => {
  try {
    read(argv, env);
  } catch (error) {
    expect(isBotsConfigError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('readBotsConfig', () => {
  it('takes flags, then MMO_* variables, then defaults', () => {
    const config = read([], { MMO_URL: 'ws://127.0.0.1:8080/ws', MMO_JWT_SECRET: SECRET });
    expect(config).toMatchObject({
      url: 'ws://127.0.0.1:8080/ws',
      token: { kind: 'jwt-secret', secret: SECRET },
      bots: botsDefaults.bots,
      seconds: botsDefaults.seconds,
      rampMs: botsDefaults.rampMs,
      actionEveryMs: botsDefaults.actionEveryMs,
      speed: botsDefaults.speed,
      json: false,
      progress: true,
      localAddresses: [],
    });
    const flagged = read(['--url', 'wss://game.example/ws', '--token-url', 'http://127.0.0.1:3000/dev/token', '--bots', '4', '--seconds', '2.5', '--json', '--speed', '3', '--local-addresses', '127.0.0.1, 127.0.0.2'], {
      MMO_URL: 'ws://ignored/ws',
      MMO_JWT_SECRET: '',
    });
    expect(flagged).toMatchObject({ url: 'wss://game.example/ws', token: { kind: 'token-url' }, bots: 4, seconds: 2.5, json: true, progress: false, speed: 3, localAddresses: ['127.0.0.1', '127.0.0.2'] });
  });

  it('shows no progress line when stderr is not a terminal or with --no-progress', () => {
    const base = ['--url', 'ws://h/ws', '--jwt-secret', SECRET];
    expect(read(base, {}, false)).toMatchObject({ progress: false });
    expect(read([...base, '--no-progress'], {}, true)).toMatchObject({ progress: false });
  });

  it('refuses bad settings with one line naming the flag', () => {
    const ok = ['--url', 'ws://h/ws', '--jwt-secret', SECRET];
    expect(fails([])).toMatch(/--url \/ MMO_URL: required/);
    expect(fails(['--url', 'http://h/ws', '--jwt-secret', SECRET])).toMatch(/--url.*ws:\/\//);
    expect(fails(['--url', 'ws://h/ws'])).toMatch(/--jwt-secret.*--token-url.*required/);
    expect(fails(['--url', 'ws://h/ws', '--jwt-secret', 'short'])).toMatch(/--jwt-secret.*32 characters/);
    expect(fails([...ok, '--token-url', 'http://x/'])).toMatch(/not both/);
    expect(fails([...ok, '--bots', '0'])).toMatch(/--bots: must be an integer/);
    expect(fails([...ok, '--bots', '2.5'])).toMatch(/--bots/);
    expect(fails([...ok, '--seconds', 'soon'])).toMatch(/--seconds: must be a number/);
    expect(fails([...ok, '--speed', '-1'])).toMatch(/--speed/);
    expect(fails([...ok, '--local-addresses', 'localhost'])).toMatch(/--local-addresses: not an IP/);
    expect(fails([...ok, '--bot', '3'])).toMatch(/^invalid setting arguments: Unknown option '--bot'/);
    expect(fails([...ok, 'extra'])).toMatch(/^invalid setting arguments/);
  });

  it('answers --help', () => {
    expect(read(['--help'])).toBe('help');
  });
});
