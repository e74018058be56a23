/** Draws the top-down view on a canvas: the walkable area, NPCs, players, names and bubbles. */
import type { WalkableArea } from './game-model.js';

/** One thing to draw, in world units. */
export interface Sprite {
  id: number;
  kind: 'self' | 'player' | 'npc' | 'object';
  /** Player name or NPC id. */
  label: string;
  /** NPC type (`sheep`, `goat`, `chicken`) or `player`. */
  type: string;
  x: number;
  z: number;
  /** Speech bubble text, if one is showing. */
  bubble?: string | undefined;
}

/** What a frame shows besides sprites. */
export interface FrameExtras {
  /** The server's last word on the local player (drawn as a ring when it differs from the dot). */
  selfServer?: { x: number; z: number } | undefined;
  /** A line of text at the bottom (e.g. while reconnecting). */
  banner?: string | undefined;
}

const COLORS = {
  grass: '#2f5d3a',
  outside: '#1b2a20',
  grid: 'rgba(255,255,255,0.06)',
  border: '#c9d6a3',
  self: '#ff9f1c',
  player: '#4cc9f0',
  sheep: '#f1f1f1',
  goat: '#b08d57',
  chicken: '#ffd166',
  object: '#999999',
  text: '#ffffff',
} as const;

/** Radius of a player's dot, world units. */
const PLAYER_RADIUS_M = 0.6;
const NPC_RADIUS_M = 0.45;
/** Grid line spacing, world units. */
const GRID_M = 5;

/** Keeps the canvas at the device's pixel ratio and maps world units to pixels. */
export class Renderer {
  private readonly ctx: CanvasRenderingContext2D;
  private scale = 1;
  private offsetX = 0;
  private offsetY = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly area: WalkableArea,
  ) {
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('canvas 2d context unavailable');
    this.ctx = ctx;
  }

  private fit(): void {
    const dpr = globalThis.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const a = this.area;
    const marginPx = 24;
    this.scale = Math.min((w - 2 * marginPx) / (a.maxX - a.minX), (h - 2 * marginPx) / (a.maxZ - a.minZ));
    this.offsetX = (w - (a.maxX - a.minX) * this.scale) / 2 - a.minX * this.scale;
    this.offsetY = (h - (a.maxZ - a.minZ) * this.scale) / 2 - a.minZ * this.scale;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  private sx(x: number): number {
    return this.offsetX + x * this.scale;
  }

  private sy(z: number): number {
    return this.offsetY + z * this.scale;
  }

  draw(sprites: readonly Sprite[], extras: FrameExtras = {}): void {
    this.fit();
    const { ctx, area } = this;
    ctx.fillStyle = COLORS.outside;
    ctx.fillRect(0, 0, this.canvas.clientWidth, this.canvas.clientHeight);
    ctx.fillStyle = COLORS.grass;
    ctx.fillRect(this.sx(area.minX), this.sy(area.minZ), (area.maxX - area.minX) * this.scale, (area.maxZ - area.minZ) * this.scale);
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = Math.ceil(area.minX / GRID_M) * GRID_M; x <= area.maxX; x += GRID_M) {
      ctx.moveTo(this.sx(x), this.sy(area.minZ));
      ctx.lineTo(this.sx(x), this.sy(area.maxZ));
    }
    for (let z = Math.ceil(area.minZ / GRID_M) * GRID_M; z <= area.maxZ; z += GRID_M) {
      ctx.moveTo(this.sx(area.minX), this.sy(z));
      ctx.lineTo(this.sx(area.maxX), this.sy(z));
    }
    ctx.stroke();
    ctx.strokeStyle = COLORS.border;
    ctx.lineWidth = 2;
    ctx.strokeRect(this.sx(area.minX), this.sy(area.minZ), (area.maxX - area.minX) * this.scale, (area.maxZ - area.minZ) * this.scale);

    // NPCs under players, the local player on top.
    const order = { object: 0, npc: 1, player: 2, self: 3 } as const;
    const sorted = [...sprites].sort((a, b) => order[a.kind] - order[b.kind]);
    const self = sprites.find((s) => s.kind === 'self');
    if (self !== undefined && extras.selfServer !== undefined && Math.hypot(self.x - extras.selfServer.x, self.z - extras.selfServer.z) > 0.05) {
      ctx.strokeStyle = COLORS.self;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.arc(this.sx(extras.selfServer.x), this.sy(extras.selfServer.z), PLAYER_RADIUS_M * this.scale, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.font = '12px sans-serif';
    ctx.textAlign = 'center';
    for (const s of sorted) {
      const x = this.sx(s.x);
      const y = this.sy(s.z);
      const radius = (s.kind === 'npc' ? NPC_RADIUS_M : PLAYER_RADIUS_M) * this.scale;
      ctx.fillStyle = s.kind === 'self' ? COLORS.self : s.kind === 'player' ? COLORS.player : s.kind === 'npc' ? (COLORS[s.type as 'sheep'] ?? COLORS.object) : COLORS.object;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, Math.PI * 2);
      ctx.fill();
      if (s.kind !== 'npc') {
        ctx.strokeStyle = '#10151a';
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      ctx.fillStyle = COLORS.text;
      ctx.fillText(s.kind === 'npc' ? s.type : s.label, x, y + radius + 13);
      if (s.bubble !== undefined) this.bubble(x, y - radius - 8, s.bubble);
    }
    if (extras.banner !== undefined) {
      ctx.font = 'bold 16px sans-serif';
      ctx.fillStyle = 'rgba(0,0,0,0.6)';
      const w = ctx.measureText(extras.banner).width + 24;
      const cx = this.canvas.clientWidth / 2;
      ctx.fillRect(cx - w / 2, this.canvas.clientHeight - 48, w, 30);
      ctx.fillStyle = '#ffd166';
      ctx.fillText(extras.banner, cx, this.canvas.clientHeight - 28);
    }
  }

  private bubble(x: number, y: number, text: string): void {
    const { ctx } = this;
    ctx.font = 'bold 13px sans-serif';
    const w = ctx.measureText(text).width + 14;
    const h = 22;
    ctx.fillStyle = '#ffffff';
    ctx.beginPath();
    ctx.roundRect(x - w / 2, y - h, w, h, 6);
    ctx.moveTo(x - 5, y);
    ctx.lineTo(x, y + 6);
    ctx.lineTo(x + 5, y);
    ctx.fill();
    ctx.fillStyle = '#10151a';
    ctx.fillText(text, x, y - 7);
  }
}
