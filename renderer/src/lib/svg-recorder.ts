/**
 * A 2D canvas context that also writes what it draws as SVG. Chart.js draws
 * through it exactly as it draws on screen (layout, ticks, legend, fills), so
 * the SVG is the chart as laid out, in vector form. No kept library does this
 * for Chart.js 4 without patching (canvas2svg is unmaintained and fails to
 * acquire a context: https://github.com/chartjs/Chart.js/issues/11237).
 *
 * Every call goes to the real context too: it keeps the transform, the styles
 * and measureText, and the recorder reads them back when a shape is painted.
 */

/** The parts of a 2D context the recorder reads and forwards; a real CanvasRenderingContext2D has them all. */
export type RecordedContext = CanvasRenderingContext2D;

interface Matrix {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

const DIGITS = 2;
const FULL_TURN = Math.PI * 2;

function num(n: number): string {
  return Number(n.toFixed(DIGITS)).toString();
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
}

/** The colour a paint style draws with; gradients and patterns are not used by our charts and fall back to none. */
function paint(style: unknown): string {
  return typeof style === 'string' ? escapeXml(style) : 'none';
}

/** SVG's text-anchor and dominant-baseline for canvas textAlign and textBaseline. */
const ANCHOR: Record<string, string> = { left: 'start', start: 'start', center: 'middle', right: 'end', end: 'end' };
const BASELINE: Record<string, string> = { top: 'text-before-edge', hanging: 'hanging', middle: 'central', alphabetic: 'alphabetic', ideographic: 'ideographic', bottom: 'text-after-edge' };

interface State {
  clip: string | null;
}

export class SvgRecorder {
  readonly context: RecordedContext;
  #real: RecordedContext;
  #path: string[] = [];
  #elements: string[] = [];
  #defs: string[] = [];
  #clips = 0;
  #state: State = { clip: null };
  #stack: State[] = [];
  /** Where the last path command ended, in device pixels: an arc continues the path from there. */
  #pen: [number, number] | null = null;

  constructor(real: RecordedContext) {
    this.#real = real;
    const recorded = this.#handlers();
    this.context = new Proxy(real, {
      get: (target, prop) => {
        if (typeof prop === 'string' && prop in recorded) return recorded[prop];
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
      set: (target, prop, value) => Reflect.set(target, prop, value, target),
    });
  }

  /** The drawing so far as a standalone SVG document of this size. */
  toSvg(size: { width: number; height: number }, title?: string): string {
    const { width, height } = size;
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}">`,
      title ? `<title>${escapeXml(title)}</title>` : '',
      this.#defs.length ? `<defs>${this.#defs.join('')}</defs>` : '',
      ...this.#elements,
      '</svg>',
    ].join('\n');
  }

  #clear() {
    this.#elements = [];
    this.#defs = [];
    this.#path = [];
    this.#pen = null;
  }

  #matrix(): Matrix {
    return this.#real.getTransform();
  }

  #point(x: number, y: number): string {
    const [px, py] = apply(this.#matrix(), x, y);
    this.#pen = [px, py];
    return `${num(px)} ${num(py)}`;
  }

  #scale(): number {
    const m = this.#matrix();
    return Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
  }

  #arc(x: number, y: number, r: number, start: number, end: number, anticlockwise = false) {
    // Canvas semantics: a turn or more draws the whole circle, anything else the remainder in the drawing direction.
    const asked = anticlockwise ? start - end : end - start;
    const sweep = asked >= FULL_TURN ? FULL_TURN : ((asked % FULL_TURN) + FULL_TURN) % FULL_TURN;
    const radius = num(r * this.#scale());
    const at = (angle: number) => [x + r * Math.cos(angle), y + r * Math.sin(angle)] as const;
    const [sx, sy] = at(start);
    this.#path.push(`${this.#pen ? 'L' : 'M'}${this.#point(sx, sy)}`);
    const flag = anticlockwise ? 0 : 1;
    const step = anticlockwise ? -1 : 1;
    // A full circle is two half arcs: one SVG arc cannot start and end at the same point.
    const parts = sweep >= FULL_TURN - 1e-9 ? 2 : 1;
    for (let p = 1; p <= parts; p++) {
      const angle = start + step * (sweep * p) / parts;
      const [ex, ey] = at(angle);
      const large = sweep / parts > Math.PI ? 1 : 0;
      this.#path.push(`A${radius} ${radius} 0 ${large} ${flag} ${this.#point(ex, ey)}`);
    }
  }

  #attrs(kind: 'fill' | 'stroke'): string {
    const r = this.#real;
    const alpha = r.globalAlpha < 1 ? ` opacity="${num(r.globalAlpha)}"` : '';
    const clip = this.#state.clip ? ` clip-path="url(#${this.#state.clip})"` : '';
    if (kind === 'fill') return `fill="${paint(r.fillStyle)}" stroke="none"${alpha}${clip}`;
    const dash = r.getLineDash();
    const width = r.lineWidth * this.#scale();
    return (
      `fill="none" stroke="${paint(r.strokeStyle)}" stroke-width="${num(width)}" stroke-linecap="${r.lineCap}" stroke-linejoin="${r.lineJoin}"` +
      (dash.length ? ` stroke-dasharray="${dash.map((d) => num(d * this.#scale())).join(' ')}"` : '') +
      alpha +
      clip
    );
  }

  #emitPath(kind: 'fill' | 'stroke', d: string) {
    if (d) this.#elements.push(`<path d="${d}" ${this.#attrs(kind)}/>`);
  }

  #rectPath(x: number, y: number, w: number, h: number): string {
    this.#pen = null;
    const d = `M${this.#point(x, y)}L${this.#point(x + w, y)}L${this.#point(x + w, y + h)}L${this.#point(x, y + h)}Z`;
    this.#pen = null;
    return d;
  }

  #text(kind: 'fill' | 'stroke', text: string, x: number, y: number) {
    const r = this.#real;
    const m = this.#matrix();
    const color = kind === 'fill' ? `fill="${paint(r.fillStyle)}"` : `fill="none" stroke="${paint(r.strokeStyle)}"`;
    const transform = m.a === 1 && m.b === 0 && m.c === 0 && m.d === 1 ? '' : ` transform="matrix(${[m.a, m.b, m.c, m.d, m.e, m.f].map(num).join(' ')})"`;
    const [tx, ty] = transform ? [x, y] : [x + m.e, y + m.f];
    const clip = this.#state.clip ? ` clip-path="url(#${this.#state.clip})"` : '';
    this.#elements.push(
      `<text x="${num(tx)}" y="${num(ty)}"${transform} ${color} style="font: ${escapeXml(r.font)}" text-anchor="${ANCHOR[r.textAlign] ?? 'start'}" dominant-baseline="${BASELINE[r.textBaseline] ?? 'alphabetic'}"${clip}>${escapeXml(text)}</text>`,
    );
  }

  #handlers(): Record<string, (...args: never[]) => unknown> {
    const real = this.#real;
    const forward = <A extends unknown[]>(name: string, record: (...args: A) => void) =>
      (...args: A) => {
        record(...args);
        return (real as unknown as Record<string, (...a: A) => unknown>)[name]!.apply(real, args);
      };
    return {
      beginPath: forward('beginPath', () => {
        this.#path = [];
        this.#pen = null;
      }),
      moveTo: forward('moveTo', (x: number, y: number) => void this.#path.push(`M${this.#point(x, y)}`)),
      lineTo: forward('lineTo', (x: number, y: number) => void this.#path.push(`${this.#pen ? 'L' : 'M'}${this.#point(x, y)}`)),
      bezierCurveTo: forward('bezierCurveTo', (x1: number, y1: number, x2: number, y2: number, x: number, y: number) =>
        void this.#path.push(`C${this.#point(x1, y1)} ${this.#point(x2, y2)} ${this.#point(x, y)}`),
      ),
      quadraticCurveTo: forward('quadraticCurveTo', (x1: number, y1: number, x: number, y: number) => void this.#path.push(`Q${this.#point(x1, y1)} ${this.#point(x, y)}`)),
      arc: forward('arc', (x: number, y: number, r: number, s: number, e: number, ccw?: boolean) => this.#arc(x, y, r, s, e, ccw)),
      ellipse: forward('ellipse', (x: number, y: number, rx: number, _ry: number, _rot: number, s: number, e: number, ccw?: boolean) => this.#arc(x, y, rx, s, e, ccw)),
      rect: forward('rect', (x: number, y: number, w: number, h: number) => void this.#path.push(this.#rectPath(x, y, w, h))),
      roundRect: forward('roundRect', (x: number, y: number, w: number, h: number) => void this.#path.push(this.#rectPath(x, y, w, h))),
      closePath: forward('closePath', () => void this.#path.push('Z')),
      fill: forward('fill', () => this.#emitPath('fill', this.#path.join(''))),
      stroke: forward('stroke', () => this.#emitPath('stroke', this.#path.join(''))),
      fillRect: forward('fillRect', (x: number, y: number, w: number, h: number) => this.#emitPath('fill', this.#rectPath(x, y, w, h))),
      strokeRect: forward('strokeRect', (x: number, y: number, w: number, h: number) => this.#emitPath('stroke', this.#rectPath(x, y, w, h))),
      // Chart.js clears the whole canvas before each draw: the SVG keeps only the last one.
      clearRect: forward('clearRect', (x: number, y: number, w: number, h: number) => {
        if (x <= 0 && y <= 0 && x + w >= real.canvas.width && y + h >= real.canvas.height) this.#clear();
      }),
      fillText: forward('fillText', (text: string, x: number, y: number) => this.#text('fill', String(text), x, y)),
      strokeText: forward('strokeText', (text: string, x: number, y: number) => this.#text('stroke', String(text), x, y)),
      clip: forward('clip', () => {
        const id = `clip${++this.#clips}`;
        this.#defs.push(`<clipPath id="${id}"><path d="${this.#path.join('')}"/></clipPath>`);
        this.#state = { clip: id };
      }),
      save: forward('save', () => void this.#stack.push({ ...this.#state })),
      restore: forward('restore', () => {
        this.#state = this.#stack.pop() ?? { clip: null };
      }),
    };
  }
}
