/**
 * SEAM (issue 8, presence): the demo's friends list and online status go here.
 *
 * `@mmo/server`'s presence (packages/server/src/presence) is being built and is not wired into the
 * gateway yet, so this pass of the demo has no presence. When it lands, this function is the one
 * place to change: create the presence service on the gateway, set each player online in the
 * demo's zone on `connection` and offline on `sessionEnded`, give every dev-token player a
 * friends list (for instance everyone else who joined), and forward PRESENCE_UPDATE /
 * FRIEND_STATUS to the page, whose overlay has a "friends" line waiting for it (web-demo
 * src/overlay.ts). The demo server calls it once at start.
 */
import type { Gateway } from '@mmo/server';

/** What the seam reports, so the page and the logs can say presence is off. */
export interface DemoPresence {
  /** False until presence is wired in. */
  readonly enabled: boolean;
}

/** Attaches presence to the demo's gateway. For now: nothing, and it says so. */
export function attachDemoPresence(gateway: Gateway): DemoPresence {
  gateway.logger.debug('demo presence: not wired yet (see apps/demo-server/src/presence-seam.ts)');
  return { enabled: false };
}
