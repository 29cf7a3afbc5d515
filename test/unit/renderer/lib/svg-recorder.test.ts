import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeXml, SvgRecorder, type RecordedContext } from '../../../../renderer/src/lib/svg-recorder';

/**
 * A stand-in for the canvas's 2D context (no canvas in Node): it keeps the
 * transform and the styles the recorder reads back, and counts what reached it.
 */
function fakeContext() {
  let m = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
  const saved: (typeof m)[] = [];
  const calls: string[] = [];
  const ctx = {
    canvas: { width: 400, height: 300 },
    fillStyle: '#000000',
    strokeStyle: '#000000',
    lineWidth: 1,
    lineCap: 'butt',
    lineJoin: 'miter',
    globalAlpha: 1,
    font: '12px sans-serif',
    textAlign: 'start',
    textBaseline: 'alphabetic',
    getTransform: () => ({ ...m }),
    getLineDash: () => [] as number[],
    translate(x: number, y: number) {
      m = { ...m, e: m.e + m.a * x + m.c * y, f: m.f + m.b * x + m.d * y };
    },
    rotate(angle: number) {
      const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
      m = { ...m, a: m.a * cos + m.c * sin, b: m.b * cos + m.d * sin, c: m.c * cos - m.a * sin, d: m.d * cos - m.b * sin };
    },
    save: () => void saved.push({ ...m }),
    restore: () => void (m = saved.pop() ?? m),
    measureText: (t: string) => ({ width: t.length * 6 }),
  } as Record<string, unknown>;
  for (const name of ['beginPath', 'moveTo', 'lineTo', 'bezierCurveTo', 'quadraticCurveTo', 'arc', 'ellipse', 'rect', 'roundRect', 'closePath', 'fill', 'stroke', 'fillRect', 'strokeRect', 'clearRect', 'fillText', 'strokeText', 'clip']) {
    ctx[name] = () => void calls.push(name);
  }
  return { ctx: ctx as unknown as RecordedContext, calls };
}

const SIZE = { width: 400, height: 300 };

test('every call still reaches the real context, and what is read (measureText) comes from it', () => {
  const { ctx, calls } = fakeContext();
  const r = new SvgRecorder(ctx);
  r.context.beginPath();
  r.context.moveTo(0, 0);
  r.context.lineTo(10, 10);
  r.context.stroke();
  assert.equal(calls, ['beginPath', 'moveTo', 'lineTo', 'stroke']);
  assert.is(r.context.measureText('abc').width, 18);
});

test('a stroked line becomes a path with its colour and width; a filled rect a closed path', () => {
  const { ctx } = fakeContext();
  const r = new SvgRecorder(ctx);
  const c = r.context;
  c.fillStyle = '#ffffff';
  c.fillRect(0, 0, 400, 300);
  c.strokeStyle = '#4f46e5';
  c.lineWidth = 2;
  c.beginPath();
  c.moveTo(10, 20);
  c.bezierCurveTo(15, 25, 20, 25, 30, 40);
  c.lineTo(50.123, 60);
  c.stroke();
  const svg = r.toSvg(SIZE, 'Line chart of total');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="400" height="300" viewBox="0 0 400 300">/);
  assert.match(svg, /<title>Line chart of total<\/title>/);
  assert.match(svg, /<path d="M0 0L400 0L400 300L0 300Z" fill="#ffffff" stroke="none"\/>/);
  assert.match(svg, /<path d="M10 20C15 25 20 25 30 40L50.12 60" fill="none" stroke="#4f46e5" stroke-width="2" /);
  assert.ok(svg.indexOf('#ffffff') < svg.indexOf('#4f46e5'), 'drawn in order: the background first');
});

test('a translated, rotated label keeps its transform; text is escaped', () => {
  const { ctx } = fakeContext();
  const r = new SvgRecorder(ctx);
  const c = r.context;
  c.save();
  c.translate(12, 150);
  c.rotate(-Math.PI / 2);
  c.textAlign = 'center';
  c.textBaseline = 'middle';
  c.fillText('Sales <& "returns">', 0, 0);
  c.restore();
  c.fillText('plain', 5, 6);
  const svg = r.toSvg(SIZE);
  assert.match(svg, /<text x="0" y="0" transform="matrix\(0 -1 1 0 12 150\)" fill="#000000" style="font: 12px sans-serif" text-anchor="middle" dominant-baseline="central">Sales &lt;&amp; &quot;returns&quot;&gt;<\/text>/);
  assert.match(svg, /<text x="5" y="6" fill="#000000"[^>]*>plain<\/text>/);
  assert.is(escapeXml(`<a href='x'>`), '&lt;a href=&apos;x&apos;&gt;');
});

test('arcs: a pie slice is one arc (large when over half a turn), a point marker a full circle in two halves', () => {
  const { ctx } = fakeContext();
  const r = new SvgRecorder(ctx);
  const c = r.context;
  c.beginPath();
  c.moveTo(100, 100);
  c.arc(100, 100, 50, 0, Math.PI * 1.5);
  c.closePath();
  c.fill();
  c.beginPath();
  c.arc(10, 10, 3, 0, Math.PI * 2);
  c.stroke();
  const [slice, point] = r.toSvg(SIZE).split('\n').filter((l) => l.startsWith('<path'));
  assert.match(slice!, /^<path d="M100 100L150 100A50 50 0 1 1 100 50Z"/);
  assert.match(point!, /^<path d="M13 10A3 3 0 0 1 7 10A3 3 0 0 1 13 10"/);
});

test('a clip applies until the matching restore', () => {
  const { ctx } = fakeContext();
  const r = new SvgRecorder(ctx);
  const c = r.context;
  c.save();
  c.beginPath();
  c.rect(10, 10, 100, 100);
  c.clip();
  c.fillRect(0, 0, 50, 50);
  c.restore();
  c.fillRect(0, 0, 5, 5);
  const svg = r.toSvg(SIZE);
  assert.match(svg, /<defs><clipPath id="clip1"><path d="M10 10L110 10L110 110L10 110Z"\/><\/clipPath><\/defs>/);
  const rects = svg.split('\n').filter((l) => l.startsWith('<path'));
  assert.match(rects[0]!, /clip-path="url\(#clip1\)"/);
  assert.not.match(rects[1]!, /clip-path/);
});

test('clearing the whole canvas starts the drawing over (Chart.js redraws after a legend toggle); a partial clear does not', () => {
  const { ctx } = fakeContext();
  const r = new SvgRecorder(ctx);
  const c = r.context;
  c.fillRect(0, 0, 1, 1);
  c.clearRect(0, 0, 10, 10);
  assert.match(r.toSvg(SIZE), /<path/);
  c.clearRect(0, 0, 400, 300);
  c.fillStyle = '#123456';
  c.fillRect(0, 0, 2, 2);
  const paths = r.toSvg(SIZE).split('\n').filter((l) => l.startsWith('<path'));
  assert.is(paths.length, 1);
  assert.match(paths[0]!, /#123456/);
});

test.run();
