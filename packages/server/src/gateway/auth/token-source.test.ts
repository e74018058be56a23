import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { extractToken, redactUrl, type TokenRequest } from './token-source.js';

function request(headers: TokenRequest['headers'], url = '/ws'): TokenRequest {
  return { headers, url };
}

describe('extractToken', () => {
  it('reads each carrier on its own', () => {
    expect(extractToken(request({ authorization: 'Bearer h.t.s' }))).toEqual({ token: 'h.t.s', carrier: 'header' });
    expect(extractToken(request({}, '/ws?zone=1&token=q.t.s'))).toEqual({ token: 'q.t.s', carrier: 'query' });
    expect(extractToken(request({ cookie: 'theme=dark; auth_token=c.t.s; x=1' }))).toEqual({ token: 'c.t.s', carrier: 'cookie' });
  });

  it('prefers the header, then the query, then the cookie', () => {
    const all = { authorization: 'Bearer from-header', cookie: 'auth_token=from-cookie' };
    expect(extractToken(request(all, '/ws?token=from-query'))?.carrier).toBe('header');
    expect(extractToken(request({ cookie: 'auth_token=from-cookie' }, '/ws?token=from-query'))?.carrier).toBe('query');
    expect(extractToken(request({ cookie: 'auth_token=from-cookie' }, '/ws?resume=r'))?.carrier).toBe('cookie');
  });

  it('accepts any case of the Bearer scheme and surrounding blanks', () => {
    expect(extractToken(request({ authorization: 'bearer   a.b.c  ' }))?.token).toBe('a.b.c');
  });

  it('skips a non-Bearer or empty Authorization header and empty values', () => {
    const headers = { authorization: 'Basic dXNlcjpwYXNz', cookie: 'auth_token=c' };
    expect(extractToken(request(headers, '/ws?token='))).toEqual({ token: 'c', carrier: 'cookie' });
    expect(extractToken(request({ authorization: 'Bearer ' }, '/ws?token=q'))?.carrier).toBe('query');
    expect(extractToken(request({ cookie: 'auth_token=; other=1' }))).toBeUndefined();
  });

  it('decodes query and cookie values and unquotes a quoted cookie', () => {
    expect(extractToken(request({}, '/ws?token=a%2Eb.c#frag'))?.token).toBe('a.b.c');
    expect(extractToken(request({ cookie: 'auth_token="a%2Eb.c"' }))?.token).toBe('a.b.c');
    expect(extractToken(request({ cookie: ['a=1', 'auth_token=x.y.z'] }))?.token).toBe('x.y.z');
  });

  it('does not take a cookie whose name only ends with auth_token', () => {
    expect(extractToken(request({ cookie: 'my_auth_token=nope' }))).toBeUndefined();
  });

  it('takes a Node IncomingMessage as it is', () => {
    const req = new IncomingMessage(new Socket());
    req.headers = { authorization: 'Bearer n.o.de' };
    req.url = '/ws?token=ignored';
    expect(extractToken(req)).toEqual({ token: 'n.o.de', carrier: 'header' });
  });

  it('returns undefined when no carrier holds a token, or the URL is missing', () => {
    expect(extractToken({ headers: {} })).toBeUndefined();
    expect(extractToken(request({}, '/ws?zone=1'))).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('hides the token and resume values and keeps everything else as it was', () => {
    expect(redactUrl('/ws?token=eyJ.a.b&zone=north%20gate&resume=r-123#x')).toBe(
      '/ws?token=[redacted]&zone=north%20gate&resume=[redacted]#x',
    );
  });

  it('catches parameter names written percent-encoded, as the query parser reads them', () => {
    expect(redactUrl('/ws?%74oken=secret')).toBe('/ws?%74oken=[redacted]');
  });

  it('leaves URLs without those parameters untouched', () => {
    for (const url of ['/ws', '/ws?', '/ws?zone=1&tokens=2', '/ws?token', 'https://h.example/ws?a=1']) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('redacts every occurrence and any names given', () => {
    expect(redactUrl('/ws?token=a&token=b&key=k', ['token', 'key'])).toBe('/ws?token=[redacted]&token=[redacted]&key=[redacted]');
  });

  it('redacts what extractToken would find', () => {
    const url = '/ws?x=1&to%6Ben=s3cret';
    expect(extractToken(request({}, url))?.token).toBe('s3cret');
    expect(redactUrl(url)).not.toContain('s3cret');
  });
});
