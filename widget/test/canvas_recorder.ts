// A stand-in 2D context that records what is drawn (jsdom has no canvas): each filled
// rectangle, text and mark with the colour it was drawn in, in cell-area pixels.

export interface Drawn {
  op: "fillRect" | "strokeRect" | "fillText" | "mark";
  x: number;
  y: number;
  w?: number;
  h?: number;
  text?: string;
  style: string;
  dashed?: boolean;
  lineWidth?: number;
}

export class CanvasRecorder {
  ops: Drawn[] = [];
  fillStyle = "#000";
  strokeStyle = "#000";
  lineWidth = 1;
  font = "";
  textAlign = "start";
  textBaseline = "alphabetic";
  private dash: number[] = [];
  private path: [number, number][] = [];
  private tx = 0;
  private ty = 0;

  setTransform(): void {
    this.tx = 0;
    this.ty = 0;
  }
  translate(x: number, y: number): void {
    this.tx += x;
    this.ty += y;
  }
  clearRect(): void {
    this.ops = [];
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    this.ops.push({ op: "fillRect", x, y, w, h, style: String(this.fillStyle) });
  }
  strokeRect(x: number, y: number, w: number, h: number): void {
    const dashed = this.dash.length > 0;
    this.ops.push({ op: "strokeRect", x, y, w, h, style: String(this.strokeStyle), dashed, lineWidth: this.lineWidth });
  }
  fillText(text: string, x: number, y: number): void {
    this.ops.push({ op: "fillText", x, y, text, style: String(this.fillStyle) });
  }
  setLineDash(d: number[]): void {
    this.dash = d;
  }
  beginPath(): void {
    this.path = [];
  }
  moveTo(x: number, y: number): void {
    this.path.push([x, y]);
  }
  lineTo(x: number, y: number): void {
    this.path.push([x, y]);
  }
  closePath(): void {}
  fill(): void {
    const xs = this.path.map((p) => p[0]);
    const ys = this.path.map((p) => p[1]);
    this.ops.push({ op: "mark", x: Math.min(...xs), y: Math.min(...ys), style: String(this.fillStyle) });
  }
  getImageData(): { data: Uint8ClampedArray } {
    return { data: new Uint8ClampedArray(4) };
  }

  /** Operations inside the cell at (i, j) of a cellW × cellH grid. */
  inCell(i: number, j: number, cellW: number, cellH: number): Drawn[] {
    return this.ops.filter(
      (o) => o.x >= i * cellW && o.x < (i + 1) * cellW && o.y >= j * cellH && o.y < (j + 1) * cellH,
    );
  }
}

/** Every canvas made from now on draws into a new recorder; returns the list of them. */
export function recordCanvases(): CanvasRecorder[] {
  const made: CanvasRecorder[] = [];
  HTMLCanvasElement.prototype.getContext = function getContext() {
    const r = new CanvasRecorder();
    made.push(r);
    return r as unknown as CanvasRenderingContext2D;
  } as unknown as typeof HTMLCanvasElement.prototype.getContext;
  return made;
}
