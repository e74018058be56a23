/** The debug overlay and the control panel: plain DOM, filled from the client's figures. */
import type { ConnectionState } from '@mmo/client';
import { isSelectableStatus, type FriendStatusName, type SelectableStatus } from './presence.js';

/** What the overlay shows, gathered by main.ts. */
export interface OverlayFigures {
  state: ConnectionState;
  player: string;
  sessionId: string | undefined;
  resumed: boolean | undefined;
  rttMs: number | undefined;
  jitterMs: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
  corrections: number;
  reconnects: number;
  visible: number;
  serverTick: number | undefined;
  pendingInputs: number | undefined;
  droppedVolatile: number;
  /** Friends by user id, with their latest status. */
  friends: Readonly<Record<string, FriendStatusName>>;
}

/** Most friends the panel lists (the rest are counted). */
const MAX_LISTED_FRIENDS = 50;

/** `reconnecting` -> `Reconnecting`: how the overlay (and the test) reads a state. */
export function stateLabel(state: ConnectionState): string {
  return state.charAt(0).toUpperCase() + state.slice(1);
}

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} missing from index.html`);
  return found as T;
}

function kib(bytesPerSecond: number): string {
  return bytesPerSecond < 1024 ? `${bytesPerSecond} B/s` : `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
}

/** Writes figures into the overlay's cells. */
export class Overlay {
  private readonly cells = {
    state: element('overlay-state'),
    player: element('overlay-player'),
    session: element('overlay-session'),
    rtt: element('overlay-rtt'),
    jitter: element('overlay-jitter'),
    bytes: element('overlay-bytes'),
    corrections: element('overlay-corrections'),
    reconnects: element('overlay-reconnects'),
    visible: element('overlay-visible'),
    tick: element('overlay-tick'),
    pending: element('overlay-pending'),
    dropped: element('overlay-dropped'),
    friends: element('overlay-friends'),
  };
  private readonly friendsList = element<HTMLUListElement>('friends-list');
  private readonly statusSelect = element<HTMLSelectElement>('presence-status');
  private shownFriends = '';

  /** The state cell alone: updated on every stateChange, so no transition is missed. */
  showState(state: ConnectionState): void {
    this.cells.state.textContent = stateLabel(state);
    this.cells.state.dataset['state'] = state;
  }

  update(f: OverlayFigures): void {
    this.showState(f.state);
    const c = this.cells;
    c.player.textContent = f.player;
    c.session.textContent = f.sessionId === undefined ? '-' : `${f.sessionId.slice(0, 8)}… ${f.resumed === true ? '(resumed)' : '(fresh)'}`;
    c.rtt.textContent = f.rttMs === undefined ? '-' : `${f.rttMs.toFixed(0)} ms`;
    c.jitter.textContent = `${f.jitterMs.toFixed(0)} ms`;
    c.bytes.textContent = `${kib(f.bytesInPerSecond)} / ${kib(f.bytesOutPerSecond)}`;
    c.corrections.textContent = String(f.corrections);
    c.reconnects.textContent = String(f.reconnects);
    c.visible.textContent = String(f.visible);
    c.tick.textContent = f.serverTick === undefined ? '-' : String(f.serverTick);
    c.pending.textContent = f.pendingInputs === undefined ? '-' : String(f.pendingInputs);
    c.dropped.textContent = String(f.droppedVolatile);
    const entries = Object.entries(f.friends).sort(([a], [b]) => a.localeCompare(b));
    // `2 online, 1 away, 1 offline`: a count per status, in the order statuses first appear.
    const counts = new Map<FriendStatusName, number>();
    for (const [, status] of entries) counts.set(status, (counts.get(status) ?? 0) + 1);
    c.friends.textContent = entries.length === 0 ? 'none yet' : [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
    this.showFriends(entries);
  }

  /** The server's word on our own status (PRESENCE_UPDATE): the selector follows it. */
  showOwnStatus(status: FriendStatusName): void {
    if (isSelectableStatus(status)) this.statusSelect.value = status;
  }

  private showFriends(entries: Array<[string, FriendStatusName]>): void {
    const key = JSON.stringify(entries);
    if (key === this.shownFriends) return; // rebuilt only on change, so a scrolled list stays put
    this.shownFriends = key;
    const items = entries.slice(0, MAX_LISTED_FRIENDS).map(([userId, status]) => {
      const li = document.createElement('li');
      li.dataset['userId'] = userId;
      const who = document.createElement('span');
      who.textContent = userId; // textContent: names come from tokens, never parse them as HTML
      const what = document.createElement('span');
      what.textContent = status;
      what.dataset['status'] = status;
      li.append(who, what);
      return li;
    });
    if (entries.length > MAX_LISTED_FRIENDS) {
      const more = document.createElement('li');
      more.className = 'none';
      more.textContent = `+${entries.length - MAX_LISTED_FRIENDS} more`;
      items.push(more);
    }
    if (items.length === 0) {
      const none = document.createElement('li');
      none.className = 'none';
      none.textContent = 'no friends yet: open a second window';
      items.push(none);
    }
    this.friendsList.replaceChildren(...items);
  }
}

/** The control panel's inputs, with callbacks. */
export interface ControlHandlers {
  onPrediction(on: boolean): void;
  onInterpolation(on: boolean): void;
  onNetwork(change: { latencyMs?: number; jitterMs?: number; volatileDropRate?: number }): void;
  onForceDisconnect(): void;
  onStatus(status: SelectableStatus): void;
}

/** Wires the checkboxes, number fields and the button. */
export function bindControls(handlers: ControlHandlers): void {
  const checkbox = (id: string, on: (checked: boolean) => void) => {
    const input = element<HTMLInputElement>(id);
    input.addEventListener('change', () => on(input.checked));
  };
  const number = (id: string, on: (value: number) => void) => {
    const input = element<HTMLInputElement>(id);
    input.addEventListener('input', () => on(Number(input.value) || 0));
    // Enter or a spinner click commits the value: give the keys back to the game.
    input.addEventListener('change', () => input.blur());
  };
  checkbox('toggle-prediction', handlers.onPrediction);
  checkbox('toggle-interpolation', handlers.onInterpolation);
  number('net-latency', (latencyMs) => handlers.onNetwork({ latencyMs }));
  number('net-jitter', (jitterMs) => handlers.onNetwork({ jitterMs }));
  number('net-drop', (percent) => handlers.onNetwork({ volatileDropRate: percent / 100 }));
  element('force-disconnect').addEventListener('click', handlers.onForceDisconnect);
  const status = element<HTMLSelectElement>('presence-status');
  status.addEventListener('change', () => {
    if (isSelectableStatus(status.value)) handlers.onStatus(status.value);
    status.blur(); // give the keys back to the game
  });
  // Keys typed into a number field must not walk the player (until the field loses focus).
  for (const input of document.querySelectorAll('#controls input, #controls select')) input.addEventListener('keydown', (e) => e.stopPropagation());
}

/** Shows a problem in the middle of the page (e.g. dev tokens off). */
export function showError(message: string): void {
  const box = element('error');
  box.textContent = message;
  box.style.display = 'block';
}
